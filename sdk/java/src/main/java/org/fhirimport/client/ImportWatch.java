package org.fhirimport.client;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.ImportServiceGrpc.ImportServiceBlockingStub;
import org.fhirimport.v1.WatchImportRequest;

/**
 * An import's events until it ends: a snapshot first, then one event per
 * change, sequences strictly increasing. When the server drains or restarts,
 * or the connection drops (UNAVAILABLE), it reconnects with backoff and
 * resumes after the last sequence it gave (the new connection's snapshot is
 * skipped), so nothing is missed or given twice.
 *
 * <p>Like a {@link java.nio.file.DirectoryStream}, it is iterated once (a
 * for-each loop, {@link #iterator()} or {@link #stream()}); close it to stop
 * following early. Any other failure, or more than the allowed reconnects in a
 * row, is thrown by {@code hasNext()} as a {@link FhirImportException}.
 */
public final class ImportWatch implements Iterable<ImportEvent>, AutoCloseable {
  private final ImportServiceBlockingStub stub;
  private final ManagedChannel channel;
  private final String importId;
  private final WatchOptions options;
  private final Deadline deadline;
  private boolean iterated;
  private volatile boolean closed;
  private volatile Context.CancellableContext context;

  ImportWatch(
      ImportServiceBlockingStub stub, ManagedChannel channel, String importId, WatchOptions options) {
    this.stub = stub;
    this.channel = channel;
    this.importId = importId;
    this.options = options;
    this.deadline =
        options.timeout() == null
            ? null
            : Deadline.after(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The events; may be called once. */
  @Override
  public synchronized Iterator<ImportEvent> iterator() {
    if (iterated) {
      throw new IllegalStateException("a watch is iterated once");
    }
    iterated = true;
    return new Events();
  }

  /** The events as a stream; closing the stream closes the watch. */
  public Stream<ImportEvent> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /** Stops following: the call is cancelled and the iterator ends. */
  @Override
  public void close() {
    closed = true;
    Context.CancellableContext current = context;
    if (current != null) {
      current.cancel(null);
    }
  }

  private final class Events implements Iterator<ImportEvent> {
    private Iterator<ImportEvent> stream;
    private ImportEvent next;
    private boolean finished;
    private boolean snapshotGiven;
    private long after = options.afterSequence();
    private int failures;

    @Override
    public boolean hasNext() {
      if (next == null && !finished) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public ImportEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ImportEvent event = next;
      next = null;
      return event;
    }

    private ImportEvent advance() {
      for (; ; ) {
        if (closed) {
          return end();
        }
        try {
          if (stream == null) {
            open();
          }
          while (stream.hasNext()) {
            ImportEvent event = stream.next();
            failures = 0;
            if (event.hasSnapshot()) {
              // Each connection starts with one; the caller has had the first.
              if (!snapshotGiven) {
                snapshotGiven = true;
                return event;
              }
              continue;
            }
            if (event.getSequence() > after) {
              after = event.getSequence();
              return event;
            }
          }
          return end();
        } catch (StatusRuntimeException e) {
          stream = null;
          cancelContext();
          if (closed) {
            return end();
          }
          FhirImportException error = FhirImportException.from(droppedAsUnavailable(e));
          if (error.code() != Status.Code.UNAVAILABLE || failures >= options.maxReconnects()) {
            finished = true;
            throw error;
          }
          java.time.Duration pause = options.pause(failures);
          failures += 1;
          options.onReconnect().accept(error, failures);
          ServiceApi.sleep(pause, error);
          ServiceApi.reconnectNow(channel);
        }
      }
    }

    /**
     * A connection that dropped mid-stream is UNAVAILABLE: grpc-java
     * sometimes reports it as UNKNOWN with the channel's I/O error as the
     * cause (a peer killed while a frame was in flight).
     */
    private static StatusRuntimeException droppedAsUnavailable(StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNKNOWN) {
        return e;
      }
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof java.io.IOException) {
          return Status.UNAVAILABLE
              .withDescription("the connection dropped: " + cause)
              .withCause(e)
              .asRuntimeException();
        }
      }
      return e;
    }

    private void open() {
      WatchImportRequest request =
          WatchImportRequest.newBuilder().setImportId(importId).setAfterSequence(after).build();
      ImportServiceBlockingStub target = deadline == null ? stub : stub.withDeadline(deadline);
      Context.CancellableContext fresh = Context.current().withCancellation();
      context = fresh;
      if (closed) {
        fresh.cancel(null);
      }
      Context previous = fresh.attach();
      try {
        stream = target.watchImport(request);
      } finally {
        fresh.detach(previous);
      }
    }

    private ImportEvent end() {
      finished = true;
      stream = null;
      cancelContext();
      return null;
    }

    private void cancelContext() {
      Context.CancellableContext current = context;
      if (current != null) {
        current.cancel(null);
      }
    }
  }
}
