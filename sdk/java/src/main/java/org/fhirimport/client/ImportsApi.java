package org.fhirimport.client;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fhirimport.v1.CancelImportRequest;
import org.fhirimport.v1.GetImportRequest;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportItem;
import org.fhirimport.v1.ImportServiceGrpc.ImportServiceBlockingStub;
import org.fhirimport.v1.ImportServiceGrpc.ImportServiceStub;
import org.fhirimport.v1.ImportState;
import org.fhirimport.v1.ItemState;
import org.fhirimport.v1.ListImportItemsRequest;
import org.fhirimport.v1.ListImportItemsResponse;
import org.fhirimport.v1.ListImportsRequest;
import org.fhirimport.v1.ListImportsResponse;
import org.fhirimport.v1.RescrapeFilesRequest;
import org.fhirimport.v1.RescrapeFilesResponse;
import org.fhirimport.v1.WatchImportRequest;

/**
 * {@code ImportService}: streaming documents into a project, following
 * imports, and looking at, cancelling and rescraping them.
 */
public final class ImportsApi extends ServiceApi<ImportServiceBlockingStub, ImportsApi> {
  private final ImportServiceStub async;

  ImportsApi(
      ImportServiceBlockingStub stub,
      ImportServiceStub async,
      ManagedChannel channel,
      RetryPolicy retry,
      Duration timeout) {
    super(stub, channel, retry, timeout);
    this.async = async;
  }

  @Override
  ImportsApi copy(Duration timeout) {
    return new ImportsApi(stub, async, channel, retry, timeout);
  }

  /** Whether an import in {@code state} has ended (it changes no more). */
  public static boolean isTerminal(ImportState state) {
    return switch (state) {
      case IMPORT_STATE_COMPLETED,
          IMPORT_STATE_COMPLETED_WITH_ERRORS,
          IMPORT_STATE_FAILED,
          IMPORT_STATE_CANCELLED -> true;
      default -> false;
    };
  }

  // Streaming documents in.

  /**
   * Streams {@code documents} into {@code project} (id or slug) as one
   * ImportDocuments call and returns its response: counts, and each rejected
   * document's index, id, code and message. Each element is JSON text, a
   * {@link java.util.Map}, a {@link Document} (e.g. by reference, or with
   * metadata) or a generated {@code DocumentInput}. Documents are taken from
   * the iterator only as the call can send them (gRPC flow control), on the
   * calling thread, so a large or endless input is never held in memory and
   * a slow server slows the reading. Interrupting the thread cancels the call
   * ({@link CanceledException}); an exception from the iterator cancels it and
   * is rethrown.
   */
  public ImportResult importDocuments(String project, Iterator<?> documents, ImportOptions options) {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(documents, "documents");
    Objects.requireNonNull(options, "options");
    ImportOptions effective =
        options.timeout() == null && timeout != null ? options.withTimeout(timeout) : options;
    return DocumentStream.send(async, effective.header(project), documents, effective);
  }

  /** {@link #importDocuments(String, Iterator, ImportOptions)} of an iterable (a list, a lazy collection). */
  public ImportResult importDocuments(String project, Iterable<?> documents, ImportOptions options) {
    return importDocuments(project, documents.iterator(), options);
  }

  /** {@link #importDocuments(String, Iterator, ImportOptions)} of a stream, which it closes. */
  public ImportResult importDocuments(String project, Stream<?> documents, ImportOptions options) {
    try (documents) {
      return importDocuments(project, documents.iterator(), options);
    }
  }

  /** {@link #importDocuments(String, Iterable, ImportOptions)} with the default options. */
  public ImportResult importDocuments(String project, Iterable<?> documents) {
    return importDocuments(project, documents, ImportOptions.DEFAULTS);
  }

  /**
   * The DocumentReferences of an NDJSON file, one per line (blank lines
   * skipped), read as the stream takes them; a bad line is rejected by its
   * index among the documents.
   */
  public ImportResult importNdjson(String project, Path ndjson, ImportOptions options)
      throws IOException {
    try (Stream<String> lines = Documents.ndjson(ndjson)) {
      return importDocuments(project, lines.iterator(), options);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The DocumentReferences among the entries of a FHIR Bundle file. */
  public ImportResult importBundle(String project, Path bundle, ImportOptions options)
      throws IOException {
    return importDocuments(project, Documents.bundle(bundle), options);
  }

  // Following imports.

  /** {@link #watchImport(String, WatchOptions)} from the start. */
  public ImportWatch watchImport(String importId) {
    return watchImport(importId, WatchOptions.DEFAULTS);
  }

  /**
   * The import's events until it ends, resuming by sequence after
   * UNAVAILABLE (see {@link ImportWatch}). The wrapper's timeout, if any, is
   * the deadline of the whole watch unless the options set one.
   */
  public ImportWatch watchImport(String importId, WatchOptions options) {
    WatchOptions effective =
        options.timeout() == null && timeout != null ? options.withTimeout(timeout) : options;
    return new ImportWatch(stub, channel, Objects.requireNonNull(importId), effective);
  }

  /** The RPC as the stub has it: {@link #watchImport(String, WatchOptions)} from the request's sequence. */
  public ImportWatch watchImport(WatchImportRequest request) {
    return watchImport(
        request.getImportId(), WatchOptions.DEFAULTS.withAfterSequence(request.getAfterSequence()));
  }

  /** Waits until the import has ended and returns it as GetImport shows it. */
  public Import waitForImport(String importId) {
    return waitForImport(importId, WatchOptions.DEFAULTS);
  }

  /**
   * Waits until the import has ended (following its events, reconnecting as
   * {@code options} say) and returns it as GetImport shows it. The options'
   * timeout, else the wrapper's, bounds the whole wait: past it,
   * {@link DeadlineExceededException}.
   */
  public Import waitForImport(String importId, WatchOptions options) {
    Duration limit = options.timeout() != null ? options.timeout() : timeout;
    Deadline deadline =
        limit == null ? null : Deadline.after(limit.toNanos(), TimeUnit.NANOSECONDS);
    Import current = within(deadline, importId).getImport(importId);
    if (isTerminal(current.getState())) {
      return current;
    }
    WatchOptions watching = options.withAfterSequence(current.getLastSequence());
    if (deadline != null) {
      watching = watching.withTimeout(left(deadline, importId));
    }
    try (ImportWatch watch = new ImportWatch(stub, channel, importId, watching)) {
      for (Iterator<?> events = watch.iterator(); events.hasNext(); ) {
        events.next(); // The stream ends when the import does.
      }
    }
    return within(deadline, importId).getImport(importId);
  }

  /** This wrapper with what is left until {@code deadline} as its timeout. */
  private ImportsApi within(Deadline deadline, String importId) {
    return deadline == null ? this : copy(left(deadline, importId));
  }

  private static Duration left(Deadline deadline, String importId) {
    long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    if (nanos <= 0) {
      throw FhirImportException.from(
          Status.DEADLINE_EXCEEDED
              .withDescription("import " + importId + " did not end in time")
              .asRuntimeException());
    }
    return Duration.ofNanos(nanos);
  }

  // The RPCs.

  /** Returns one import. */
  public Import getImport(GetImportRequest request) {
    return call("GetImport", s -> s.getImport(request));
  }

  /** Returns one import by id. */
  public Import getImport(String importId) {
    return getImport(GetImportRequest.newBuilder().setImportId(importId).build());
  }

  /** One page of a project's imports, newest first. */
  public ListImportsResponse listImports(ListImportsRequest request) {
    return call("ListImports", s -> s.listImports(request));
  }

  /** Every import of {@code project}, newest first, page after page. */
  public Stream<Import> listImports(String project) {
    ListImportsRequest first = ListImportsRequest.newBuilder().setProject(project).build();
    return Pages.stream(
        token -> listImports(first.toBuilder().setPageToken(token).build()),
        ListImportsResponse::getImportsList,
        ListImportsResponse::getNextPageToken);
  }

  /** One page of an import's items in stream order. */
  public ListImportItemsResponse listImportItems(ListImportItemsRequest request) {
    return call("ListImportItems", s -> s.listImportItems(request));
  }

  /** Every item of an import in stream order, only those in {@code states} when given. */
  public Stream<ImportItem> listImportItems(String importId, ItemState... states) {
    ListImportItemsRequest first =
        ListImportItemsRequest.newBuilder()
            .setImportId(importId)
            .addAllStates(Arrays.asList(states))
            .build();
    return Pages.stream(
        token -> listImportItems(first.toBuilder().setPageToken(token).build()),
        ListImportItemsResponse::getItemsList,
        ListImportItemsResponse::getNextPageToken);
  }

  /** Cancels an import ({@link FailedPreconditionException} when it has ended). */
  public Import cancelImport(CancelImportRequest request) {
    return call("CancelImport", s -> s.cancelImport(request));
  }

  /** Cancels an import by id. */
  public Import cancelImport(String importId) {
    return cancelImport(CancelImportRequest.newBuilder().setImportId(importId).build());
  }

  /** Scrapes the metadata of files already imported again; returns the RESCRAPE imports started. */
  public RescrapeFilesResponse rescrapeFiles(RescrapeFilesRequest request) {
    return call("RescrapeFiles", s -> s.rescrapeFiles(request));
  }
}
