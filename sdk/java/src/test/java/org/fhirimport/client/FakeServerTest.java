package org.fhirimport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.fhirimport.v1.GetProjectRequest;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportDocumentsRequest;
import org.fhirimport.v1.ImportDocumentsResponse;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.ImportProgress;
import org.fhirimport.v1.ImportServiceGrpc;
import org.fhirimport.v1.ImportState;
import org.fhirimport.v1.ImportStateChange;
import org.fhirimport.v1.Project;
import org.fhirimport.v1.ProjectServiceGrpc;
import org.fhirimport.v1.WatchImportRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a stand-in server that records what it is sent: the headers every
 * call carries, and a watch whose connection breaks and whose next
 * connection repeats what was already given.
 */
class FakeServerTest {
  private final List<Metadata> headers = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> watchedAfter = Collections.synchronizedList(new ArrayList<>());
  private Server server;

  /** A watch: 1 and 2, then UNAVAILABLE; resumed, the snapshot and 2 again, then 3 and the end. */
  private final class Imports extends ImportServiceGrpc.ImportServiceImplBase {
    @Override
    public void watchImport(WatchImportRequest request, StreamObserver<ImportEvent> events) {
      watchedAfter.add(request.getAfterSequence());
      events.onNext(snapshot(request.getAfterSequence()));
      if (request.getAfterSequence() == 0) {
        events.onNext(progress(1));
        events.onNext(progress(2));
        events.onError(Status.UNAVAILABLE.withDescription("the server is draining").asRuntimeException());
        return;
      }
      events.onNext(progress(2));
      events.onNext(progress(3));
      events.onNext(
          ImportEvent.newBuilder()
              .setSequence(4)
              .setStateChange(
                  ImportStateChange.newBuilder().setState(ImportState.IMPORT_STATE_COMPLETED))
              .build());
      events.onCompleted();
    }

    @Override
    public StreamObserver<ImportDocumentsRequest> importDocuments(
        StreamObserver<ImportDocumentsResponse> response) {
      return new StreamObserver<>() {
        private long documents;

        @Override
        public void onNext(ImportDocumentsRequest value) {
          if (value.hasDocument()) {
            documents++;
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          response.onNext(
              ImportDocumentsResponse.newBuilder()
                  .setImportId("i-1")
                  .setReceived(documents)
                  .setAccepted(documents)
                  .build());
          response.onCompleted();
        }
      };
    }
  }

  private static ImportEvent snapshot(long after) {
    return ImportEvent.newBuilder()
        .setSequence(after)
        .setSnapshot(Import.newBuilder().setId("i-1").setState(ImportState.IMPORT_STATE_PROCESSING))
        .build();
  }

  private static ImportEvent progress(long sequence) {
    return ImportEvent.newBuilder()
        .setSequence(sequence)
        .setProgress(ImportProgress.newBuilder().setItems(1))
        .build();
  }

  private final class Projects extends ProjectServiceGrpc.ProjectServiceImplBase {
    @Override
    public void getProject(GetProjectRequest request, StreamObserver<Project> response) {
      response.onNext(Project.newBuilder().setId("p-1").setSlug(request.getProject()).build());
      response.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    ServerInterceptor recording =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
            headers.add(metadata);
            return Contexts.interceptCall(io.grpc.Context.current(), call, metadata, next);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(new Imports(), recording))
            .addService(ServerInterceptors.intercept(new Projects(), recording))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  private FhirImportClient client(TokenSource tokens) {
    return FhirImportClient.builder()
        .server("http://127.0.0.1:" + server.getPort())
        .tokenSource(tokens)
        .build();
  }

  @Test
  void everyCallCarriesAFreshBearerTokenAndTheAdvanceAccessHeader() {
    AtomicInteger asked = new AtomicInteger();
    try (FhirImportClient client = client(() -> "token-" + asked.incrementAndGet())) {
      client.projects().getProject("sdk/p");
      client.importDocuments("sdk/p", List.of("{}", "{}"));
      try (ImportWatch watch =
          client.watchImport("i-1", WatchOptions.DEFAULTS.withAfterSequence(7))) {
        watch.forEach(event -> {});
      }
    }
    assertEquals(3, headers.size(), "a unary call, a client stream, a server stream");
    for (int n = 0; n < 3; n++) {
      Metadata call = headers.get(n);
      assertEquals(
          "Bearer token-" + (n + 1), call.get(PlatformHeaders.AUTHORIZATION), "the token asked for this call");
      assertEquals("advance", call.get(PlatformHeaders.ADVANCE_ACCESS));
    }
  }

  @Test
  void aResumedWatchSkipsTheNewSnapshotAndWhatWasGivenAlready() {
    List<Integer> attempts = new ArrayList<>();
    List<ImportEvent> events = new ArrayList<>();
    try (FhirImportClient client = client(TokenSource.of("t"));
        ImportWatch watch =
            client.watchImport(
                "i-1",
                WatchOptions.DEFAULTS
                    .withReconnects(3, Duration.ofMillis(10))
                    .withOnReconnect((error, attempt) -> attempts.add(attempt)))) {
      watch.forEach(events::add);
    }
    assertEquals(List.of(0L, 2L), watchedAfter, "resumed after the last sequence given");
    assertEquals(List.of(1), attempts);
    assertTrue(events.get(0).hasSnapshot());
    assertEquals(
        List.of(1L, 2L, 3L, 4L),
        events.stream().skip(1).map(ImportEvent::getSequence).toList(),
        "2 once, no second snapshot");
  }
}
