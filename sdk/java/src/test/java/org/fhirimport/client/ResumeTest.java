package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.ImportState;
import org.fhirimport.v1.Project;
import org.junit.jupiter.api.Test;

/**
 * Following an import through a server restart: the watch reconnects and
 * resumes after the last sequence it saw, missing and repeating nothing.
 */
class ResumeTest {
  /** Five documents, then waits for {@code release} before ending. */
  static Iterator<Object> fiveThenHold(CountDownLatch release) {
    return new Iterator<>() {
      private int n;

      @Override
      public boolean hasNext() {
        if (n < 5) {
          return true;
        }
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return false;
      }

      @Override
      public Object next() {
        return document(n++);
      }
    };
  }

  /** The project's one import once the server has received {@code count} documents. */
  static String importReceiving(FhirImportClient client, String project, long count)
      throws InterruptedException {
    for (int tries = 0; tries < 600; tries++) {
      List<Import> imports = client.imports().listImports(project).toList();
      if (!imports.isEmpty() && imports.get(0).getCounts().getReceived() == count) {
        return imports.get(0).getId();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the import never received " + count + " documents");
  }

  @Test
  void aWatchResumesBySequenceAfterTheServerRestarts() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    try (TestServer server = TestServer.start(Map.of("FHIR_IMPORT__SHUTDOWN_GRACE_MS", "300"));
        FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-resume", "");
      // A stream that sends five documents and stays open: the import keeps
      // receiving until the restart cuts it.
      CountDownLatch release = new CountDownLatch(1);
      Future<ImportResult> sending =
          threads.submit(
              () ->
                  client.importDocuments(
                      project.getId(), fiveThenHold(release), ImportOptions.DEFAULTS));
      String importId = importReceiving(client, project.getId(), 5);

      List<ImportEvent> events = Collections.synchronizedList(new ArrayList<>());
      List<FhirImportException> reconnects = Collections.synchronizedList(new ArrayList<>());
      List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
      Future<?> following =
          threads.submit(
              () -> {
                WatchOptions options =
                    WatchOptions.DEFAULTS.withOnReconnect(
                        (error, attempt) -> {
                          reconnects.add(error);
                          attempts.add(attempt);
                        });
                try (ImportWatch watch = client.watchImport(importId, options)) {
                  watch.forEach(events::add);
                }
                return null;
              });
      while (events.isEmpty()) {
        Thread.sleep(20);
      }

      server.restart();
      release.countDown();
      ExecutionException cut = assertThrows(ExecutionException.class, sending::get);
      assertInstanceOf(UnavailableException.class, cut.getCause(), "the stream was cut");
      following.get(120, TimeUnit.SECONDS);

      assertTrue(reconnects.size() >= 1, "the watch reconnected");
      assertTrue(
          reconnects.stream().allMatch(error -> error instanceof UnavailableException),
          reconnects.toString());
      assertEquals(1, attempts.get(0));
      assertEquals(1, events.stream().filter(ImportEvent::hasSnapshot).count(), "one snapshot");
      assertTrue(events.get(0).hasSnapshot());
      List<Long> sequences = events.stream().skip(1).map(ImportEvent::getSequence).toList();
      List<Long> sorted = sequences.stream().distinct().sorted().toList();
      assertEquals(sorted, sequences, "increasing, none twice");
      ImportEvent last = events.get(events.size() - 1);
      assertTrue(last.hasStateChange(), last.toString());
      assertEquals(
          ImportState.IMPORT_STATE_COMPLETED_WITH_ERRORS, last.getStateChange().getState());
      Import finished = client.imports().getImport(importId);
      assertEquals(finished.getLastSequence(), last.getSequence(), "the watch saw the last event");
      assertEquals(5, finished.getCounts().getImported());
      // Every event the import had after the snapshot's position was seen.
      long from = events.get(0).getSequence();
      try (ImportWatch replay =
          client.watchImport(importId, WatchOptions.DEFAULTS.withAfterSequence(from))) {
        List<Long> all =
            replay.stream().filter(e -> !e.hasSnapshot()).map(ImportEvent::getSequence).toList();
        assertEquals(all, sequences, "nothing missed");
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aWatchResumesAfterTheConnectionDrops() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    try (TestServer server = TestServer.start(Map.of("FHIR_IMPORT__IMPORT__LEASE_MS", "500"));
        FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-dropped", "");
      CountDownLatch release = new CountDownLatch(1);
      Future<ImportResult> sending =
          threads.submit(
              () ->
                  client.importDocuments(
                      project.getId(), fiveThenHold(release), ImportOptions.DEFAULTS));
      String importId = importReceiving(client, project.getId(), 5);
      List<ImportEvent> events = Collections.synchronizedList(new ArrayList<>());
      List<FhirImportException> reconnects = Collections.synchronizedList(new ArrayList<>());
      Future<?> following =
          threads.submit(
              () -> {
                try (ImportWatch watch =
                    client.watchImport(
                        importId, WatchOptions.DEFAULTS.withOnReconnect((e, n) -> reconnects.add(e)))) {
                  watch.forEach(events::add);
                }
                return null;
              });
      while (events.isEmpty()) {
        Thread.sleep(20);
      }
      // No drain, no goodbye: the process is gone and its connections with it.
      server.kill();
      release.countDown();
      assertThrows(ExecutionException.class, sending::get);
      server.up();
      following.get(120, TimeUnit.SECONDS);
      assertTrue(reconnects.size() >= 1, "the watch reconnected");
      assertTrue(
          reconnects.stream().allMatch(error -> error instanceof UnavailableException),
          reconnects.toString());
      assertEquals(1, events.stream().filter(ImportEvent::hasSnapshot).count(), "one snapshot");
      List<Long> sequences = events.stream().skip(1).map(ImportEvent::getSequence).toList();
      assertEquals(sequences.stream().distinct().sorted().toList(), sequences);
      ImportEvent last = events.get(events.size() - 1);
      assertTrue(last.hasStateChange(), last.toString());
      assertEquals(client.imports().getImport(importId).getLastSequence(), last.getSequence());
    } finally {
      threads.shutdownNow();
    }
  }
}
