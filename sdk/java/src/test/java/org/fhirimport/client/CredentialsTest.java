package org.fhirimport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.fhirimport.v1.ListSchemasRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A portal's own token from its client credentials, fetched again before it expires. */
class CredentialsTest {
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
  void clientCredentialsAreExchangedForATokenAndAgainBeforeItExpires() throws Exception {
    PortalCredentials portal = server.portalCredentials();
    // Tokens live 15 minutes; asking for a new one 14 m 56 s early makes the
    // source fetch again four seconds after each fetch (room for a loaded machine).
    TokenSource source = portal.clientCredentials("", Duration.ofMinutes(15).minusSeconds(4));
    Set<String> seen = ConcurrentHashMap.newKeySet();
    TokenSource counting =
        () -> {
          String token = source.token();
          seen.add(token);
          return token;
        };
    try (FhirImportClient client =
        FhirImportClient.builder().server(server.baseUrl).tokenSource(counting).build()) {
      // The test portal holds the admin scope; its own token (no user) may
      // list schemas, not open projects.
      client.schemas().listSchemas(ListSchemasRequest.getDefaultInstance());
      client.schemas().listSchemas(ListSchemasRequest.getDefaultInstance());
      assertEquals(1, seen.size(), "one token for calls within its life");
      Thread.sleep(4_200);
      client.schemas().listSchemas(ListSchemasRequest.getDefaultInstance());
      assertEquals(2, seen.size(), "a new token once the old one is near its end");
      assertThrows(
          PermissionDeniedException.class, () -> client.projects().listAllProjects().toList());
    }
  }

  @Test
  void concurrentCallersShareOneFetch() throws Exception {
    PortalCredentials portal = server.portalCredentials();
    AtomicInteger fetches = new AtomicInteger();
    TokenSource source =
        TokenSource.renewing(
            () -> {
              fetches.incrementAndGet();
              Thread.sleep(300); // a slow token endpoint: the others arrive meanwhile
              return portal.requestTokens(Map.of("grant_type", "client_credentials"));
            },
            Duration.ofSeconds(60));
    int callers = 8;
    CyclicBarrier together = new CyclicBarrier(callers);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (FhirImportClient client =
        FhirImportClient.builder().server(server.baseUrl).tokenSource(source).build()) {
      List<Future<Integer>> calls =
          java.util.stream.IntStream.range(0, callers)
              .mapToObj(
                  n ->
                      pool.submit(
                          () -> {
                            together.await();
                            return client
                                .schemas()
                                .listSchemas(ListSchemasRequest.getDefaultInstance())
                                .getSchemasCount();
                          }))
              .toList();
      for (Future<Integer> call : calls) {
        assertTrue(call.get() > 0);
      }
      assertEquals(1, fetches.get(), "eight calls, one token request");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingTokenSourceFailsTheCallUnauthenticatedWithTheCause() {
    PortalCredentials wrong =
        new PortalCredentials(server.baseUrl, server.clientId(), "not-the-secret");
    TokenSource source = wrong.clientCredentials();
    TokenRequestException refused = assertThrows(TokenRequestException.class, source::token);
    assertEquals(401, refused.status());
    assertEquals("invalid_client", refused.error());
    try (FhirImportClient client =
        FhirImportClient.builder().server(server.baseUrl).tokenSource(source).build()) {
      UnauthenticatedException error =
          assertThrows(
              UnauthenticatedException.class,
              () -> client.schemas().listSchemas(ListSchemasRequest.getDefaultInstance()));
      assertInstanceOf(TokenRequestException.class, error.getCause());
      assertTrue(error.serverMessage().contains("invalid_client"), error.serverMessage());
      // Streams too.
      UnauthenticatedException fromStream =
          assertThrows(
              UnauthenticatedException.class,
              () -> client.importDocuments("sdk/anything", List.of(TestDocuments.document(1))));
      assertInstanceOf(TokenRequestException.class, fromStream.getCause());
    }
  }
}
