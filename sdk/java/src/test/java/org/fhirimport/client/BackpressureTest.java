package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.fhirimport.v1.Project;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A large input is read only as fast as the server takes it (gRPC flow
 * control), and the progress callback follows what the stream took.
 */
class BackpressureTest {
  private static final int TOTAL = 12_000;
  /** About 1 KiB per document. */
  private static final String PADDING = "x".repeat(800);

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

  /** {@code total} documents, made as they are asked for; counts them in {@code pulled}. */
  private static Iterator<Object> generated(int total, AtomicLong pulled) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return pulled.get() < total;
      }

      @Override
      public Object next() {
        Map<String, Object> document = new HashMap<>(document(pulled.getAndIncrement()));
        document.put("description", PADDING);
        return document;
      }
    };
  }

  @Test
  void aStalledServerStopsTheReadingOfTheInput() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    try (FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-backpressure", "");
      AtomicLong pulled = new AtomicLong();
      AtomicLong progress = new AtomicLong();
      Future<ImportResult> sending =
          threads.submit(
              () ->
                  client.importDocuments(
                      project.getId(),
                      generated(TOTAL, pulled),
                      ImportOptions.builder().onProgress(progress::set).build()));
      while (pulled.get() < 500) {
        Thread.sleep(5);
      }
      server.signal("STOP");
      long atStop = pulled.get();
      long held;
      try {
        Thread.sleep(1_500);
        held = pulled.get();
        Thread.sleep(1_000);
        assertEquals(held, pulled.get(), "no document is read while the server reads none");
        assertFalse(sending.isDone());
      } finally {
        server.signal("CONT");
      }
      System.out.printf(
          "backpressure: %d documents read when the server stopped, %d more after%n",
          atStop, held - atStop);
      // What the client holds is bounded by gRPC's flow control: its own
      // buffer (32 KiB) and the HTTP/2 windows, about a thousand documents
      // of this size; the whole input is twelve times that.
      assertTrue(held - atStop < 5_000, "read ahead: " + (held - atStop));
      assertTrue(held < TOTAL / 2, "read: " + held);

      ImportResult result = sending.get(300, TimeUnit.SECONDS);
      assertEquals(TOTAL, result.accepted());
      assertEquals(TOTAL, pulled.get());
      assertEquals(TOTAL, progress.get());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theProgressCallbackFollowsTheDocumentsTheStreamTakes() {
    try (FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-progress", "");
      List<Long> seen = new ArrayList<>();
      List<Object> documents =
          LongStream.range(0, 40).mapToObj(n -> (Object) document(n)).toList();
      ImportResult result =
          client.importDocuments(
              project.getId(), documents, ImportOptions.builder().onProgress(seen::add).build());
      assertEquals(40, result.accepted());
      assertEquals(LongStream.rangeClosed(1, 40).boxed().toList(), seen);
    }
  }
}
