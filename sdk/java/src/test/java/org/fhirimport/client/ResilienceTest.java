package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.Project;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads retried while the server restarts, writes not; deadlines per call. */
class ResilienceTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aReadIsSentAgainWhileTheServerRestartsAWriteIsNot() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    try (FhirImportClient client =
            FhirImportClient.builder()
                .server(server.baseUrl)
                .token(server.token)
                .retry(new RetryPolicy(10, Duration.ofMillis(100)))
                .build();
        FhirImportClient once =
            FhirImportClient.builder()
                .server(server.baseUrl)
                .token(server.token)
                .retry(RetryPolicy.NONE)
                .build()) {
      Project project = client.projects().createProject("java-retry", "");
      server.down();
      try {
        assertThrows(
            UnavailableException.class,
            () -> client.projects().createProject("java-retry-2", ""),
            "a write fails at once");
        assertThrows(
            UnavailableException.class,
            () -> once.projects().getProject(project.getId()),
            "without retries a read fails too");
        Future<Project> read = threads.submit(() -> client.projects().getProject(project.getId()));
        Thread.sleep(300);
        assertTrue(!read.isDone(), "the read waits for the server");
        server.up();
        assertEquals(project.getId(), read.get(60, TimeUnit.SECONDS).getId());
      } finally {
        server.up();
      }
      assertThrows(
          NotFoundException.class,
          () -> client.projects().getProject("sdk/java-retry-2"),
          "the write was not sent again");
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aDeadlineEndsAWatchAndAStreamThatRunTooLong() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    try (FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-deadline", "");
      CountDownLatch release = new CountDownLatch(1);
      Future<ImportResult> sending =
          threads.submit(
              () ->
                  client.importDocuments(
                      project.getId(),
                      ResumeTest.fiveThenHold(release),
                      ImportOptions.builder().timeout(Duration.ofSeconds(2)).build()));
      String importId = ResumeTest.importReceiving(client, project.getId(), 5);
      long started = System.nanoTime();
      assertThrows(
          DeadlineExceededException.class,
          () ->
              client.imports().withTimeout(Duration.ofMillis(500)).waitForImport(importId),
          "the import is still receiving");
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(waited >= 450 && waited < 2_000, "waited " + waited + " ms");
      // The stream's own deadline passes while the input holds; once the
      // input moves on, the import fails with it.
      Thread.sleep(2_500);
      release.countDown();
      ExecutionException cut =
          assertThrows(
              ExecutionException.class,
              () -> sending.get(30, TimeUnit.SECONDS));
      assertTrue(cut.getCause() instanceof DeadlineExceededException, cut.getCause().toString());
      // The deadline is per call: the next one has its own.
      assertEquals(
          1,
          client
              .imports()
              .withTimeout(Duration.ofSeconds(10))
              .listImports(project.getId())
              .count());
      assertEquals(
          1, client.importDocuments(project.getId(), List.of(document(9))).accepted());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void interruptingAWatchingThreadEndsTheWatchCanceled() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    CountDownLatch release = new CountDownLatch(1);
    try (FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-interrupt", "");
      threads.submit(
          () ->
              client.importDocuments(
                  project.getId(), ResumeTest.fiveThenHold(release), ImportOptions.DEFAULTS));
      String importId = ResumeTest.importReceiving(client, project.getId(), 5);
      CountDownLatch watching = new CountDownLatch(1);
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      Thread watcher =
          new Thread(
              () -> {
                try (ImportWatch watch = client.watchImport(importId)) {
                  for (ImportEvent event : watch) {
                    watching.countDown();
                  }
                  ended.complete(null);
                } catch (RuntimeException e) {
                  ended.complete(e);
                }
              });
      watcher.start();
      assertTrue(watching.await(30, TimeUnit.SECONDS));
      Thread.sleep(200);
      watcher.interrupt();
      Throwable error = ended.get(30, TimeUnit.SECONDS);
      assertTrue(error instanceof CanceledException, String.valueOf(error));
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }
}
