package org.fhirimport.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.fhirimport.v1.ConflictPolicy;
import org.fhirimport.v1.ImportHeader;

/**
 * How {@link ImportsApi#importDocuments} imports: the header's fields, metadata
 * for every file, a progress callback and a deadline. Build with
 * {@link #builder()}; {@link #DEFAULTS} is all defaults.
 */
public final class ImportOptions {
  /** No FHIR server, OVERWRITE, no key, no tags, no metadata, no callback, no deadline. */
  public static final ImportOptions DEFAULTS = builder().build();

  private final String fhirServer;
  private final ConflictPolicy onConflict;
  private final String idempotencyKey;
  private final boolean validateOnly;
  private final List<String> tags;
  private final Map<String, String> metadata;
  private final LongConsumer onProgress;
  private final Duration timeout;

  private ImportOptions(Builder builder) {
    this.fhirServer = builder.fhirServer;
    this.onConflict = builder.onConflict;
    this.idempotencyKey = builder.idempotencyKey;
    this.validateOnly = builder.validateOnly;
    this.tags = List.copyOf(builder.tags);
    this.metadata = Map.copyOf(builder.metadata);
    this.onProgress = builder.onProgress;
    this.timeout = builder.timeout;
  }

  private ImportOptions(ImportOptions other, Duration timeout) {
    this.fhirServer = other.fhirServer;
    this.onConflict = other.onConflict;
    this.idempotencyKey = other.idempotencyKey;
    this.validateOnly = other.validateOnly;
    this.tags = other.tags;
    this.metadata = other.metadata;
    this.onProgress = other.onProgress;
    this.timeout = timeout;
  }

  /** These options with a deadline for the whole stream. */
  public ImportOptions withTimeout(Duration timeout) {
    return new ImportOptions(this, timeout);
  }

  /** A builder of options. */
  public static Builder builder() {
    return new Builder();
  }

  /** The import's header for {@code project}. */
  ImportHeader header(String project) {
    return ImportHeader.newBuilder()
        .setProject(project)
        .setFhirServer(fhirServer)
        .setOnConflict(onConflict)
        .setIdempotencyKey(idempotencyKey)
        .setValidateOnly(validateOnly)
        .addAllTags(tags)
        .build();
  }

  /** Metadata for every file (a document's own metadata wins). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The progress callback (does nothing unless one was given). */
  public LongConsumer onProgress() {
    return onProgress;
  }

  /** The deadline for the whole stream, or null for none. */
  public Duration timeout() {
    return timeout;
  }

  /** Options being built. */
  public static final class Builder {
    private String fhirServer = "";
    private ConflictPolicy onConflict = ConflictPolicy.CONFLICT_POLICY_UNSPECIFIED;
    private String idempotencyKey = "";
    private boolean validateOnly;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private LongConsumer onProgress = sent -> {};
    private Duration timeout;

    private Builder() {}

    /** The registered FHIR server the documents come from (metadata is scraped from it). */
    public Builder fhirServer(String fhirServer) {
      this.fhirServer = Objects.requireNonNull(fhirServer);
      return this;
    }

    /** What to do with documents imported before (OVERWRITE when not set). */
    public Builder onConflict(ConflictPolicy onConflict) {
      this.onConflict = Objects.requireNonNull(onConflict);
      return this;
    }

    /** A key (at most 128 characters, unique per project): sending again replays the first import's response. */
    public Builder idempotencyKey(String idempotencyKey) {
      this.idempotencyKey = Objects.requireNonNull(idempotencyKey);
      return this;
    }

    /** Validate and report rejections without storing anything. */
    public Builder validateOnly(boolean validateOnly) {
      this.validateOnly = validateOnly;
      return this;
    }

    /** Tags put on every file the import creates. */
    public Builder tags(List<String> tags) {
      this.tags.addAll(tags);
      return this;
    }

    /** A tag put on every file the import creates. */
    public Builder tag(String tag) {
      this.tags.add(Objects.requireNonNull(tag));
      return this;
    }

    /** Metadata for every file; a document's own metadata wins over these. */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata.putAll(metadata);
      return this;
    }

    /** One metadata pair for every file. */
    public Builder metadata(String key, String value) {
      this.metadata.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Told how many documents the stream has taken so far, after each one, on
     * the calling thread. The stream takes documents as the server reads
     * them, so this follows the server, not the input.
     */
    public Builder onProgress(LongConsumer onProgress) {
      this.onProgress = Objects.requireNonNull(onProgress);
      return this;
    }

    /** A deadline for the whole stream, response included. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The options. */
    public ImportOptions build() {
      return new ImportOptions(this);
    }
  }
}
