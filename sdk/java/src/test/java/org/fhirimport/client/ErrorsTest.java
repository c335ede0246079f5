package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.List;
import org.fhirimport.v1.GetProjectRequest;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.ListSchemasRequest;
import org.fhirimport.v1.Project;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each status the API documents reaches the caller as its own exception
 * class, from unary calls and from streams alike, with the server's message.
 */
class ErrorsTest {
  private static final String UNKNOWN_IMPORT = "01890000-0000-7000-8000-000000000000";
  private static TestServer server;
  private static FhirImportClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    client = server.client();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The call fails with {@code type}, its code, and a message from the server. */
  private static <T extends FhirImportException> T assertTyped(
      Class<T> type, Status.Code code, Executable call) {
    FhirImportException error = assertThrows(FhirImportException.class, call);
    assertInstanceOf(type, error, error.toString());
    assertInstanceOf(StatusRuntimeException.class, error);
    assertEquals(code, error.code());
    assertEquals(code, error.getStatus().getCode());
    assertFalse(error.serverMessage().isEmpty(), "the server's message is kept");
    return type.cast(error);
  }

  @Test
  void aTokenTheServerNeverIssuedIsUnauthenticated() {
    try (FhirImportClient stranger =
        FhirImportClient.builder().server(server.baseUrl).token("not-a-token").build()) {
      assertTyped(
          UnauthenticatedException.class,
          Status.Code.UNAUTHENTICATED,
          () -> stranger.projects().listAllProjects().toList());
    }
  }

  @Test
  void aPortalsOwnTokenAskingForProjectsIsPermissionDenied() {
    try (FhirImportClient portal =
        FhirImportClient.builder()
            .server(server.baseUrl)
            .tokenSource(server.portalCredentials().clientCredentials())
            .build()) {
      assertTyped(
          PermissionDeniedException.class,
          Status.Code.PERMISSION_DENIED,
          () -> portal.projects().listAllProjects().toList());
    }
  }

  @Test
  void anUnknownProjectOrImportIsNotFoundFromUnaryCallsAndStreams() {
    FhirImportException project =
        assertTyped(
            NotFoundException.class,
            Status.Code.NOT_FOUND,
            () -> client.projects().getProject("sdk/no-such-project"));
    assertTrue(project.serverMessage().contains("sdk/no-such-project"), project.serverMessage());
    assertTyped(
        NotFoundException.class,
        Status.Code.NOT_FOUND,
        () -> client.imports().getImport(UNKNOWN_IMPORT));
    assertTyped(
        NotFoundException.class,
        Status.Code.NOT_FOUND,
        () -> {
          try (ImportWatch watch = client.watchImport(UNKNOWN_IMPORT)) {
            for (ImportEvent event : watch) {
              fail("no event for an unknown import: " + event);
            }
          }
        });
    assertTyped(
        NotFoundException.class,
        Status.Code.NOT_FOUND,
        () -> client.importDocuments("sdk/no-such-project", List.of(document(1))));
  }

  @Test
  void cancellingAFinishedImportIsFailedPrecondition() {
    Project project = client.projects().createProject(TestDocuments.projectName("errors"), "");
    ImportResult result = client.importDocuments(project.getId(), List.of(document(1)));
    client.waitForImport(result.importId());
    assertTyped(
        FailedPreconditionException.class,
        Status.Code.FAILED_PRECONDITION,
        () -> client.imports().cancelImport(result.importId()));
  }

  @Test
  void aMalformedRequestIsInvalidArgumentAndATakenNameAlreadyExists() {
    assertTyped(
        InvalidArgumentException.class,
        Status.Code.INVALID_ARGUMENT,
        () -> client.projects().createProject("", ""));
    String name = TestDocuments.projectName("twice");
    client.projects().createProject(name, "");
    assertTyped(
        AlreadyExistsException.class,
        Status.Code.ALREADY_EXISTS,
        () -> client.projects().createProject(name, ""));
  }

  @Test
  void aWatchPastTheImportsLatestEventIsOutOfRange() {
    Project project = client.projects().createProject(TestDocuments.projectName("range"), "");
    ImportResult result = client.importDocuments(project.getId(), List.of(document(1)));
    long last = client.waitForImport(result.importId()).getLastSequence();
    assertTyped(
        OutOfRangeException.class,
        Status.Code.OUT_OF_RANGE,
        () -> {
          try (ImportWatch watch =
              client.watchImport(
                  result.importId(), WatchOptions.DEFAULTS.withAfterSequence(last + 1000))) {
            Iterator<ImportEvent> events = watch.iterator();
            while (events.hasNext()) {
              events.next();
            }
          }
        });
  }

  @Test
  void oneWatcherTooManyIsResourceExhaustedWithWhenToRetry() throws Exception {
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newCachedThreadPool();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (TestServer limited =
            TestServer.start(java.util.Map.of("FHIR_IMPORT__IMPORT__MAX_WATCHERS_PER_USER", "1"));
        FhirImportClient client = limited.client()) {
      Project project = client.projects().createProject("java-busy", "");
      threads.submit(
          () ->
              client.importDocuments(
                  project.getId(), ResumeTest.fiveThenHold(release), ImportOptions.DEFAULTS));
      String importId = ResumeTest.importReceiving(client, project.getId(), 5);
      try (ImportWatch first = client.watchImport(importId)) {
        assertTrue(first.iterator().next().hasSnapshot());
        ResourceExhaustedException busy =
            assertTyped(
                ResourceExhaustedException.class,
                Status.Code.RESOURCE_EXHAUSTED,
                () -> {
                  try (ImportWatch second = client.watchImport(importId)) {
                    second.iterator().hasNext();
                  }
                });
        assertFalse(busy.details().isEmpty(), "google.rpc.Status details");
        assertTrue(busy.retryDelay().isPresent(), "the server says when to retry");
        assertTrue(!busy.retryDelay().get().isNegative());
      } finally {
        release.countDown();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theGeneratedStubFailsWithPlainStatusesThatFromTypes() {
    StatusRuntimeException raw =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                client
                    .projects()
                    .stub()
                    .getProject(GetProjectRequest.newBuilder().setProject("sdk/nope").build()));
    FhirImportException typed = FhirImportException.from(raw);
    assertInstanceOf(NotFoundException.class, typed);
    assertEquals(raw.getStatus().getDescription(), typed.serverMessage());
    assertTrue(typed.details().isEmpty(), "the server sent no details for this one");
    // The stub is the generated one, with the token and header on its calls.
    assertTrue(
        client.schemas().stub().listSchemas(ListSchemasRequest.getDefaultInstance()).getSchemasCount()
            > 0);
  }
}
