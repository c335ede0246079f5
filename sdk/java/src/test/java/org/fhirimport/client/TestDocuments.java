package org.fhirimport.client;

import java.util.List;
import java.util.Map;

/** Documents for the tests. */
final class TestDocuments {
  private TestDocuments() {}

  /** A valid DocumentReference whose file is {@code sample-<n>.cram}. */
  static Map<String, Object> document(long n) {
    return Map.of(
        "resourceType", "DocumentReference",
        "id", "doc-" + n,
        "status", "current",
        "subject", Map.of("reference", "Patient/pt-" + n),
        "content",
            List.of(
                Map.of(
                    "attachment",
                    Map.of(
                        "url", "drs://example.org/file-" + n,
                        "title", "sample-" + n + ".cram",
                        "size", 1000 + n))));
  }

  /** A project name no other test uses. */
  static String projectName(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime(), 36);
  }
}
