package org.fhirimport.client;

import org.fhirimport.v1.ItemRejection;
import org.fhirimport.v1.RejectionCode;

/**
 * One rejected document.
 *
 * @param index 0-based position among the documents sent
 * @param documentId the DocumentReference id, when one could be read (else empty)
 * @param code the kind of problem
 * @param message what is wrong and where, e.g. {@code content[0].attachment.url: required}
 */
public record Rejection(long index, String documentId, RejectionCode code, String message) {
  static Rejection of(ItemRejection rejection) {
    return new Rejection(
        rejection.getIndex(), rejection.getDocumentId(), rejection.getCode(), rejection.getMessage());
  }

  /** E.g. {@code #5 doc-5 INVALID_RESOURCE: content[0].attachment.url: required}. */
  @Override
  public String toString() {
    String name = code.name().replaceFirst("^REJECTION_CODE_", "");
    return "#" + index + (documentId.isEmpty() ? "" : " " + documentId) + " " + name + ": " + message;
  }
}
