package org.fhirimport.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.fhirimport.v1.DocumentInput;
import org.fhirimport.v1.ImportDocumentsRequest;
import org.fhirimport.v1.ImportDocumentsResponse;
import org.fhirimport.v1.ImportHeader;
import org.fhirimport.v1.ImportServiceGrpc.ImportServiceStub;

/**
 * One ImportDocuments call fed from an iterator on the calling thread: a
 * document is taken from the input only when the call can send it
 * ({@code isReady()}, told by the on-ready handler), so a slow server slows
 * the reading and nothing is read far ahead of the network.
 */
final class DocumentStream
    implements ClientResponseObserver<ImportDocumentsRequest, ImportDocumentsResponse> {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private ClientCallStreamObserver<ImportDocumentsRequest> requests;
  private ImportDocumentsResponse response;
  private Throwable error;
  private boolean ended;

  private DocumentStream() {}

  /** Sends the header, then every document of {@code documents}; returns the response. */
  static ImportResult send(
      ImportServiceStub stub, ImportHeader header, Iterator<?> documents, ImportOptions options) {
    if (options.timeout() != null) {
      stub = stub.withDeadlineAfter(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    DocumentStream call = new DocumentStream();
    stub.importDocuments(call);
    call.requests.onNext(ImportDocumentsRequest.newBuilder().setHeader(header).build());
    Map<String, String> metadata = options.metadata();
    long sent = 0;
    try {
      while (call.awaitReady() && documents.hasNext()) {
        DocumentInput document = Document.from(documents.next()).toInput(metadata);
        call.requests.onNext(ImportDocumentsRequest.newBuilder().setDocument(document).build());
        sent += 1;
        options.onProgress().accept(sent);
      }
      if (!call.hasEnded()) {
        call.requests.onCompleted();
      }
      return ImportResult.of(call.awaitResponse());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.requests.cancel("interrupted", e);
      throw FhirImportException.from(
          Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException());
    } catch (FhirImportException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      // The input failed (or the callback did): the stream is cut, so the
      // server releases the import's idempotency key.
      call.requests.cancel("the documents could not be read: " + e, e);
      throw e;
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ImportDocumentsRequest> requests) {
    this.requests = requests;
    requests.setOnReadyHandler(this::signal);
  }

  @Override
  public void onNext(ImportDocumentsResponse value) {
    lock.lock();
    try {
      response = value;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onError(Throwable t) {
    lock.lock();
    try {
      error = t;
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onCompleted() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean hasEnded() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the call can take a message: true, or until it ended: false. */
  private boolean awaitReady() throws InterruptedException {
    lock.lock();
    try {
      while (!ended && !requests.isReady()) {
        changed.await();
      }
      return !ended;
    } finally {
      lock.unlock();
    }
  }

  private ImportDocumentsResponse awaitResponse() throws InterruptedException {
    lock.lock();
    try {
      while (!ended) {
        changed.await();
      }
      if (error != null) {
        throw FhirImportException.from(error);
      }
      if (response == null) {
        throw FhirImportException.from(
            Status.INTERNAL.withDescription("the server sent no response").asRuntimeException());
      }
      return response;
    } finally {
      lock.unlock();
    }
  }
}
