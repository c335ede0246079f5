package org.fhirimport.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fhirimport.v1.File;
import org.fhirimport.v1.FhirServerServiceGrpc;
import org.fhirimport.v1.FileServiceGrpc;
import org.fhirimport.v1.Import;
import org.fhirimport.v1.ImportServiceGrpc;
import org.fhirimport.v1.ProjectServiceGrpc;
import org.fhirimport.v1.SchemaServiceGrpc;

/**
 * A client of a fhir-import server: one channel (closed by {@link #close()}),
 * one wrapper per service ({@link #projects()}, {@link #imports()},
 * {@link #files()}, {@link #fhirServers()}, {@link #schemas()}), and the
 * helpers a portal needs, also reachable from here: streaming documents in
 * ({@link #importDocuments}), following an import ({@link #watchImport},
 * {@link #waitForImport}) and listing files ({@link #listFiles}).
 *
 * <p>Every call carries {@code authorization: Bearer <token>} and
 * {@code x-sbg-advance-access: advance} without being asked. Failures are
 * {@link FhirImportException}s typed by status.
 */
public final class FhirImportClient implements AutoCloseable {
  /** The header the platform requires on every call. */
  public static final String ADVANCE_ACCESS_HEADER = "x-sbg-advance-access";

  /** Its value. */
  public static final String ADVANCE_ACCESS_VALUE = "advance";

  /** Where a server listens unless told otherwise. */
  public static final String DEFAULT_SERVER = "http://127.0.0.1:50051";

  private final URI server;
  private final ManagedChannel managed;
  private final Channel channel;
  private final ProjectsApi projects;
  private final ImportsApi imports;
  private final FilesApi files;
  private final FhirServersApi fhirServers;
  private final SchemasApi schemas;

  private FhirImportClient(Builder builder) {
    this.server = builder.server;
    int port = server.getPort();
    boolean tls = server.getScheme().equals("https");
    NettyChannelBuilder channelBuilder =
        NettyChannelBuilder.forAddress(server.getHost(), port != -1 ? port : tls ? 443 : 80)
            .maxInboundMessageSize(builder.maxInboundMessageSize)
            // Finds a connection that died silently (e.g. under a long watch).
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS);
    if (tls) {
      channelBuilder.useTransportSecurity();
    } else {
      channelBuilder.usePlaintext();
    }
    this.managed = channelBuilder.build();
    this.channel = ClientInterceptors.intercept(managed, new PlatformHeaders(builder.tokens));
    RetryPolicy retry = builder.retry;
    this.projects = new ProjectsApi(ProjectServiceGrpc.newBlockingStub(channel), managed, retry, null);
    this.imports =
        new ImportsApi(
            ImportServiceGrpc.newBlockingStub(channel),
            ImportServiceGrpc.newStub(channel),
            managed,
            retry,
            null);
    this.files = new FilesApi(FileServiceGrpc.newBlockingStub(channel), managed, retry, null);
    this.fhirServers =
        new FhirServersApi(FhirServerServiceGrpc.newBlockingStub(channel), managed, retry, null);
    this.schemas = new SchemasApi(SchemaServiceGrpc.newBlockingStub(channel), managed, retry, null);
  }

  /** A builder: {@code server} and a token are what most callers set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client of {@code $FHIR_IMPORT_SERVER} (else {@value #DEFAULT_SERVER})
   * with the token in {@code $FHIR_IMPORT_TOKEN}.
   *
   * @throws IllegalStateException when FHIR_IMPORT_TOKEN is not set
   */
  public static FhirImportClient fromEnvironment() {
    String server = System.getenv("FHIR_IMPORT_SERVER");
    String token = System.getenv("FHIR_IMPORT_TOKEN");
    if (token == null || token.isEmpty()) {
      throw new IllegalStateException("FHIR_IMPORT_TOKEN is not set: every call needs an access token");
    }
    return builder()
        .server(server == null || server.isEmpty() ? DEFAULT_SERVER : server)
        .token(token)
        .build();
  }

  /** The server's base URL. */
  public URI server() {
    return server;
  }

  /**
   * The channel with the token and advance-access header on every call, for
   * stubs of your own (e.g. {@code ImportServiceGrpc.newFutureStub(client.channel())}).
   */
  public Channel channel() {
    return channel;
  }

  /** Projects. */
  public ProjectsApi projects() {
    return projects;
  }

  /** Imports: streaming documents in, following, listing, cancelling, rescraping. */
  public ImportsApi imports() {
    return imports;
  }

  /** Files. */
  public FilesApi files() {
    return files;
  }

  /** FHIR servers (registering and changing them is for platform admins). */
  public FhirServersApi fhirServers() {
    return fhirServers;
  }

  /** Metadata schemas (writing them is for platform admins). */
  public SchemasApi schemas() {
    return schemas;
  }

  /** {@link ImportsApi#importDocuments(String, Iterable, ImportOptions)}. */
  public ImportResult importDocuments(String project, Iterable<?> documents, ImportOptions options) {
    return imports.importDocuments(project, documents, options);
  }

  /** {@link ImportsApi#importDocuments(String, Iterable, ImportOptions)} with the default options. */
  public ImportResult importDocuments(String project, Iterable<?> documents) {
    return imports.importDocuments(project, documents, ImportOptions.DEFAULTS);
  }

  /** {@link ImportsApi#importDocuments(String, Iterator, ImportOptions)}. */
  public ImportResult importDocuments(String project, Iterator<?> documents, ImportOptions options) {
    return imports.importDocuments(project, documents, options);
  }

  /** {@link ImportsApi#importDocuments(String, Stream, ImportOptions)}. */
  public ImportResult importDocuments(String project, Stream<?> documents, ImportOptions options) {
    return imports.importDocuments(project, documents, options);
  }

  /** {@link ImportsApi#importNdjson}. */
  public ImportResult importNdjson(String project, Path ndjson, ImportOptions options)
      throws IOException {
    return imports.importNdjson(project, ndjson, options);
  }

  /** {@link ImportsApi#importBundle}. */
  public ImportResult importBundle(String project, Path bundle, ImportOptions options)
      throws IOException {
    return imports.importBundle(project, bundle, options);
  }

  /** {@link ImportsApi#watchImport(String)}. */
  public ImportWatch watchImport(String importId) {
    return imports.watchImport(importId);
  }

  /** {@link ImportsApi#watchImport(String, WatchOptions)}. */
  public ImportWatch watchImport(String importId, WatchOptions options) {
    return imports.watchImport(importId, options);
  }

  /** {@link ImportsApi#waitForImport(String)}. */
  public Import waitForImport(String importId) {
    return imports.waitForImport(importId);
  }

  /** {@link FilesApi#listFiles(String)}. */
  public Stream<File> listFiles(String project) {
    return files.listFiles(project);
  }

  /** {@link FilesApi#listFiles(String, ListFilesOptions)}. */
  public Stream<File> listFiles(String project, ListFilesOptions options) {
    return files.listFiles(project, options);
  }

  /** Closes the channel: calls under way are given 5 s, then cancelled. */
  @Override
  public void close() {
    managed.shutdown();
    try {
      if (!managed.awaitTermination(5, TimeUnit.SECONDS)) {
        managed.shutdownNow();
      }
    } catch (InterruptedException e) {
      managed.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Settings of a client. */
  public static final class Builder {
    private URI server = URI.create(DEFAULT_SERVER);
    private TokenSource tokens;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private int maxInboundMessageSize = 16 * 1024 * 1024;

    private Builder() {}

    /**
     * Where the server listens: {@code http://host:port} (plaintext, h2c),
     * {@code https://host[:port]} (TLS), or {@code host:port} (plaintext).
     */
    public Builder server(String server) {
      Objects.requireNonNull(server, "server");
      return server(URI.create(server.contains("://") ? server : "http://" + server));
    }

    /** Where the server listens ({@code http} or {@code https}). */
    public Builder server(URI server) {
      Objects.requireNonNull(server, "server");
      if (!server.getScheme().equals("http") && !server.getScheme().equals("https")) {
        throw new IllegalArgumentException("the server URL must be http:// or https://: " + server);
      }
      if (server.getHost() == null) {
        throw new IllegalArgumentException("the server URL has no host: " + server);
      }
      this.server = server;
      return this;
    }

    /** A fixed bearer token. */
    public Builder token(String token) {
      this.tokens = TokenSource.of(token);
      return this;
    }

    /**
     * Where each call's bearer token comes from, e.g.
     * {@link PortalCredentials#clientCredentials()}.
     */
    public Builder tokenSource(TokenSource tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** How reads are retried after UNAVAILABLE ({@link RetryPolicy#DEFAULT} unless set). */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** The largest response message accepted (16 MiB unless set). */
    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalStateException when no token or token source was given
     */
    public FhirImportClient build() {
      if (tokens == null) {
        throw new IllegalStateException("no token: set token(...) or tokenSource(...)");
      }
      return new FhirImportClient(this);
    }
  }
}
