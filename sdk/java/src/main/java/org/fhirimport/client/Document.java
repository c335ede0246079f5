package org.fhirimport.client;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.fhirimport.v1.DocumentInput;

/**
 * One document to import: a DocumentReference as JSON text or as a map, or a
 * reference ({@code DocumentReference/<id>}) the server reads from the
 * import's FHIR server; with metadata of the portal's own if wanted.
 * {@link ImportsApi#importDocuments} also takes the JSON text or the map
 * directly.
 */
public final class Document {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private final DocumentInput input;

  private Document(DocumentInput input) {
    this.input = input;
  }

  /** A DocumentReference as FHIR R4 JSON text (sent as is; the server validates it). */
  public static Document json(String resourceJson) {
    return new Document(
        DocumentInput.newBuilder().setResourceJson(Objects.requireNonNull(resourceJson)).build());
  }

  /** A DocumentReference as a map (nested maps, lists, strings, numbers, booleans), sent as JSON. */
  public static Document of(Map<String, ?> resource) {
    return json(GSON.toJson(Objects.requireNonNull(resource)));
  }

  /**
   * A DocumentReference the server reads from the import's FHIR server:
   * {@code DocumentReference/<id>}, or just the id.
   */
  public static Document reference(String reference) {
    String full = reference.contains("/") ? reference : "DocumentReference/" + reference;
    return new Document(DocumentInput.newBuilder().setReference(full).build());
  }

  /**
   * {@code document} as a Document: a Document as is, a {@link String} as
   * JSON text, a {@link Map} or a Gson {@link JsonElement} as JSON, a
   * generated {@link DocumentInput} as is.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Document from(Object document) {
    if (document instanceof Document given) {
      return given;
    }
    if (document instanceof String text) {
      return json(text);
    }
    if (document instanceof Map<?, ?> map) {
      return json(GSON.toJson(map));
    }
    if (document instanceof JsonElement element) {
      return json(GSON.toJson(element));
    }
    if (document instanceof DocumentInput input) {
      return new Document(input);
    }
    throw new IllegalArgumentException(
        "not a document: "
            + (document == null ? "null" : document.getClass().getName())
            + " (expected JSON text, a Map, a Document or a DocumentInput)");
  }

  /** This document with {@code metadata} for its file (added to any it has; these win). */
  public Document withMetadata(Map<String, String> metadata) {
    return new Document(input.toBuilder().putAllMetadata(metadata).build());
  }

  /** The message sent for this document. */
  public DocumentInput toInput() {
    return input;
  }

  /** The message sent, {@code defaults} first under the document's own metadata. */
  DocumentInput toInput(Map<String, String> defaults) {
    if (defaults.isEmpty()) {
      return input;
    }
    Map<String, String> metadata = new LinkedHashMap<>(defaults);
    metadata.putAll(input.getMetadataMap());
    return input.toBuilder().clearMetadata().putAllMetadata(metadata).build();
  }

  @Override
  public String toString() {
    return input.hasReference() ? "Document[" + input.getReference() + "]" : "Document[json]";
  }
}
