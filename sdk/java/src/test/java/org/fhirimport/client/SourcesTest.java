package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirimport.v1.File;
import org.fhirimport.v1.Project;
import org.fhirimport.v1.RejectionCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Documents from NDJSON files, Bundles, streams and references; metadata for every file. */
class SourcesTest {
  private static final Gson GSON = new Gson();
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

  @Test
  void documentsFromAnNdjsonFile(@TempDir Path dir) throws Exception {
    Project project = client.projects().createProject(TestDocuments.projectName("ndjson"), "");
    Path file = dir.resolve("documents.ndjson");
    Files.writeString(
        file,
        GSON.toJson(document(1)) + "\n\n{broken\n" + GSON.toJson(document(3)) + "\n   \n");
    ImportResult result =
        client.importNdjson(
            project.getId(), file, ImportOptions.builder().metadata("study", "SD_NDJSON").build());
    assertEquals(3, result.received(), "blank lines are not documents");
    assertEquals(2, result.accepted());
    assertEquals(1, result.rejected());
    assertEquals(1, result.rejections().get(0).index(), "indexes count documents, not lines");
    assertEquals(RejectionCode.REJECTION_CODE_INVALID_JSON, result.rejections().get(0).code());
    client.waitForImport(result.importId());
    assertEquals(
        List.of("sample-1.cram", "sample-3.cram"),
        client
            .listFiles(project.getId(), ListFilesOptions.where("study", "SD_NDJSON"))
            .map(File::getName)
            .sorted()
            .toList());
  }

  @Test
  void documentsFromABundle(@TempDir Path dir) throws Exception {
    Project project = client.projects().createProject(TestDocuments.projectName("bundle"), "");
    Map<String, Object> bundle =
        Map.of(
            "resourceType", "Bundle",
            "type", "collection",
            "entry",
                List.of(
                    Map.of("resource", document(10)),
                    Map.of("resource", Map.of("resourceType", "Patient", "id", "p")),
                    Map.of("resource", document(11))));
    Path file = dir.resolve("bundle.json");
    Files.writeString(file, GSON.toJson(bundle));
    ImportResult result = client.importBundle(project.getId(), file, ImportOptions.DEFAULTS);
    assertEquals(2, result.received(), "the Patient is left out");
    assertEquals(2, result.accepted());
    assertEquals(0, result.rejected());
    assertEquals(2, Documents.bundle(GSON.toJson(bundle)).size());
    IllegalArgumentException notABundle =
        assertThrows(
            IllegalArgumentException.class,
            () -> Documents.bundle("{\"resourceType\": \"Patient\"}"));
    assertTrue(notABundle.getMessage().contains("Patient"), notABundle.getMessage());
  }

  @Test
  void aStreamReferencesAndMetadataPerFileAndForAll() {
    Project project = client.projects().createProject(TestDocuments.projectName("kinds"), "");
    Stream<Object> documents =
        Stream.of(
            GSON.toJson(document(20)),
            Document.of(document(21)).withMetadata(Map.of("study", "SD_OWN", "sample", "tumor")),
            Document.reference("DocumentReference/remote-1"));
    ImportResult result =
        client.importDocuments(
            project.getId(),
            documents,
            ImportOptions.builder().metadata(Map.of("study", "SD_ALL", "batch", "7")).build());
    assertEquals(2, result.accepted());
    assertEquals(1, result.rejected());
    Rejection rejection = result.rejections().get(0);
    assertEquals(2, rejection.index());
    assertEquals(RejectionCode.REJECTION_CODE_REFERENCE_NOT_RESOLVABLE, rejection.code());
    client.waitForImport(result.importId());

    List<File> all = client.listFiles(project.getId(), ListFilesOptions.where("batch", "7")).toList();
    assertEquals(2, all.size(), "metadata for every file");
    List<File> own =
        client
            .listFiles(project.getId(), ListFilesOptions.where("study", "SD_OWN").and("batch", "7"))
            .toList();
    assertEquals(1, own.size(), "a document's own metadata wins");
    assertEquals("sample-21.cram", own.get(0).getName());
    assertEquals("tumor", own.get(0).getMetadataMap().get("sample"));
    assertThrows(
        IllegalArgumentException.class,
        () -> client.importDocuments(project.getId(), List.of(42)),
        "a number is not a document");
  }
}
