package org.fhirimport.client;

import static org.fhirimport.client.TestDocuments.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fhirimport.v1.ConflictPolicy;
import org.fhirimport.v1.File;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportEvent;
import org.fhirimport.v1.ImportItem;
import org.fhirimport.v1.ImportState;
import org.fhirimport.v1.ItemState;
import org.fhirimport.v1.Project;
import org.fhirimport.v1.RejectionCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tour, through the SDK against the real server: a project, an import
 * with one rejection and metadata, its events to the end, its files
 * filtered by metadata.
 */
class TourTest {
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
  void anImportWithOneRejectionFollowedToItsEndMakesFiles() {
    try (FhirImportClient client = server.client()) {
      Project project = client.projects().createProject("java-tour", "the tour, from Java");
      assertEquals("sdk/java-tour", project.getSlug());

      List<Object> documents =
          List.of(
              Document.of(document(0)).withMetadata(Map.of("study", "SD_JAVA")),
              "{not json",
              document(2));
      ImportResult result =
          client.importDocuments(
              project.getId(),
              documents,
              ImportOptions.builder()
                  .onConflict(ConflictPolicy.CONFLICT_POLICY_SKIP)
                  .tag("tour")
                  .build());
      assertEquals(3, result.received());
      assertEquals(2, result.accepted());
      assertEquals(1, result.rejected());
      assertEquals(1, result.rejections().size());
      Rejection rejection = result.rejections().get(0);
      assertEquals(1, rejection.index());
      assertEquals(RejectionCode.REJECTION_CODE_INVALID_JSON, rejection.code());
      assertFalse(rejection.message().isEmpty());
      assertTrue(result.snapshot().isPresent());

      List<ImportEvent> events = new ArrayList<>();
      try (ImportWatch watch = client.watchImport(result.importId())) {
        for (ImportEvent event : watch) {
          events.add(event);
        }
      }
      assertTrue(events.get(0).hasSnapshot(), "a snapshot first");
      for (int i = 2; i < events.size(); i++) {
        assertTrue(
            events.get(i).getSequence() > events.get(i - 1).getSequence(), "sequences increase");
      }
      ImportEvent last = events.get(events.size() - 1);
      assertTrue(last.hasStateChange(), "the watch ends with the import's end: " + last);
      assertEquals(
          ImportState.IMPORT_STATE_COMPLETED_WITH_ERRORS, last.getStateChange().getState());

      Import finished = client.waitForImport(result.importId());
      assertEquals(ImportState.IMPORT_STATE_COMPLETED_WITH_ERRORS, finished.getState());
      assertEquals(2, finished.getCounts().getImported());
      assertEquals(List.of("tour"), finished.getTagsList());

      List<ImportItem> rejected =
          client.imports().listImportItems(result.importId(), ItemState.ITEM_STATE_REJECTED).toList();
      assertEquals(1, rejected.size());
      assertEquals(1, rejected.get(0).getIndex());
      assertEquals(
          List.of(finished.getId()),
          client.imports().listImports(project.getSlug()).map(Import::getId).toList());

      List<String> all =
          client
              .listFiles(project.getId(), ListFilesOptions.ALL.withPageSize(1))
              .map(File::getName)
              .sorted()
              .toList();
      assertEquals(List.of("sample-0.cram", "sample-2.cram"), all);
      List<File> tagged =
          client.listFiles(project.getId(), ListFilesOptions.where("study", "SD_JAVA")).toList();
      assertEquals(List.of("sample-0.cram"), tagged.stream().map(File::getName).toList());
      assertEquals("drs://example.org/file-0", tagged.get(0).getUrl());
      assertEquals(1000, tagged.get(0).getSize());
      assertEquals(
          List.of(),
          client.listFiles(project.getId(), ListFilesOptions.where("study", "SD_OTHER")).toList());
      File one = client.files().getFile(tagged.get(0).getId());
      assertTrue(one.getDocumentReferenceJson().contains("\"doc-0\""));
    }
  }
}
