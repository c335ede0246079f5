package org.fhirimport.client;

import java.util.List;
import java.util.Optional;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportDocumentsResponse;

/**
 * What an import's stream ended with.
 *
 * @param importId the import's id (empty for validate-only)
 * @param received documents sent
 * @param accepted documents that passed validation and are stored durably
 * @param rejected documents rejected (the first 1000 in {@code rejections})
 * @param rejections the first 1000 rejections in stream order
 * @param rejectionsTruncated whether there were more rejections than listed
 * @param replayed whether this replays an earlier import with the same idempotency key
 * @param response the response message as received
 */
public record ImportResult(
    String importId,
    long received,
    long accepted,
    long rejected,
    List<Rejection> rejections,
    boolean rejectionsTruncated,
    boolean replayed,
    ImportDocumentsResponse response) {
  static ImportResult of(ImportDocumentsResponse response) {
    return new ImportResult(
        response.getImportId(),
        response.getReceived(),
        response.getAccepted(),
        response.getRejected(),
        response.getRejectionsList().stream().map(Rejection::of).toList(),
        response.getRejectionsTruncated(),
        response.getReplayed(),
        response);
  }

  /** The import as it stood when the response was sent (empty for validate-only). */
  public Optional<Import> snapshot() {
    return response.hasImport() ? Optional.of(response.getImport()) : Optional.empty();
  }

  @Override
  public String toString() {
    return "ImportResult[importId=" + importId + ", received=" + received + ", accepted="
        + accepted + ", rejected=" + rejected + ", replayed=" + replayed + "]";
  }
}
