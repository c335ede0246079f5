package org.fhirimport.client;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real fhir-import server for the SDK's tests: the binary with a fresh
 * SQLite file, an admin user, a portal and a token made with
 * {@code fhir-import admin}, as an operator would. It can be stopped and
 * started again on the same address and database.
 */
final class TestServer implements AutoCloseable {
  static final String ISSUER = "http://fhir-import.sdk-tests";
  static final List<String> SCOPES =
      List.of("projects", "import:write", "import:read", "files:read", "admin");
  /** The user {@code sdk} signs in with this on the authorization page. */
  static final String PASSWORD = "a long passphrase for the sdk tests";
  /** Where the test portal's authorization codes go. */
  static final String REDIRECT_URI = "https://portal.example.org/callback";

  /** The repository's root: {@code -Dfhirimport.repo}, else found above the working directory. */
  static final Path REPO = repo();

  static final Path BINARY =
      Paths.get(
          System.getenv().getOrDefault(
              "FHIR_IMPORT_BIN", REPO.resolve("target/debug/fhir-import").toString()));

  private final Path work;
  private final Map<String, String> env;
  private final String address;
  private Process process;

  /** The server's base URL, e.g. {@code http://127.0.0.1:43121}. */
  final String baseUrl;
  /** An access token of user {@code sdk} (a platform admin) through the portal. */
  final String token;
  /** The portal: {@code client_id}, {@code client_secret}. */
  final JsonObject portal;

  private TestServer(Map<String, String> extraEnv) throws IOException {
    work = Files.createTempDirectory("fhir-import-java-sdk-");
    env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (!k.startsWith("FHIR_IMPORT")) {
        env.put(k, v);
      }
    });
    env.putAll(extraEnv);
    env.put("FHIR_IMPORT__AUTH__ISSUER", ISSUER);
    env.put("FHIR_IMPORT__DATABASE_URL", "sqlite://" + work.resolve("sdk.db"));
    address = launch("127.0.0.1:0");
    baseUrl = "http://" + address;
    admin(List.of("create-user", "sdk", "--admin", "--password-stdin"), PASSWORD + "\n");
    List<String> client =
        new ArrayList<>(List.of("create-client", "--name", "Java SDK tests", "--owner", "sdk"));
    for (String scope : SCOPES) {
      client.add("--scope");
      client.add(scope);
    }
    client.add("--redirect-uri");
    client.add(REDIRECT_URI);
    portal = admin(client, "");
    token =
        admin(List.of("issue-token", "--user", "sdk", "--client", clientId()), "")
            .get("access_token")
            .getAsString();
  }

  /** A fresh server. */
  static TestServer start() throws IOException {
    return start(Map.of());
  }

  /** A fresh server with more {@code FHIR_IMPORT__…} configuration. */
  static TestServer start(Map<String, String> extraEnv) throws IOException {
    return new TestServer(extraEnv);
  }

  String clientId() {
    return portal.get("client_id").getAsString();
  }

  String clientSecret() {
    return portal.get("client_secret").getAsString();
  }

  PortalCredentials portalCredentials() {
    return new PortalCredentials(baseUrl, clientId(), clientSecret());
  }

  /** A client with the admin user's token. */
  FhirImportClient client() {
    return FhirImportClient.builder().server(baseUrl).token(token).build();
  }

  /** The server process's id (for signals). */
  long pid() {
    return process.pid();
  }

  /** SIGTERM (which must exit 0), then the same server again on the same address. */
  void restart() throws IOException {
    down();
    up();
  }

  /** Stops the server (SIGTERM; it must drain and exit 0). */
  synchronized void down() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM
    int code;
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the server did not stop within 60 s of SIGTERM");
      }
      code = process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (code != 0) {
      throw new IllegalStateException("the server exited with " + code + " on SIGTERM\n" + log());
    }
  }

  /** Kills the server (SIGKILL): no drain, its connections simply drop. */
  synchronized void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Starts the server again on the same address, unless it runs. */
  synchronized void up() throws IOException {
    if (!process.isAlive()) {
      launch(address);
    }
  }

  /** Sends the server a signal ({@code STOP}, {@code CONT}). */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  /** What the server wrote to stderr. */
  String log() {
    try {
      return Files.readString(work.resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        signal("CONT"); // in case a test left it stopped
      }
      down();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      try (Stream<Path> paths = Files.walk(work)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private String launch(String listen) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(BINARY.toString(), "serve", "--listen", listen)
            .directory(work.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process started = builder.start();
    process = started;
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    listening.complete(line.substring("listening on ".length()).trim());
                  }
                }
              } catch (IOException e) {
                listening.completeExceptionally(e);
              }
              listening.completeExceptionally(
                  new IllegalStateException("the server exited before listening\n" + log()));
            },
            "fhir-import-server-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return listening.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      started.destroyForcibly();
      throw new IllegalStateException("the server did not start: " + e.getMessage(), e);
    }
  }

  private JsonObject admin(List<String> args, String input) throws IOException {
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "admin"));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("admin.log").toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process admin = builder.start();
    try (OutputStream stdin = admin.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(admin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (admin.waitFor() != 0) {
        throw new IllegalStateException(
            "fhir-import admin " + args + " failed:\n" + Files.readString(work.resolve("admin.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return JsonParser.parseString(out).getAsJsonObject();
  }

  private static Path repo() {
    String given = System.getProperty("fhirimport.repo");
    if (given != null) {
      return Paths.get(given).toAbsolutePath();
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("proto/fhir_import"))) {
        return dir;
      }
    }
    throw new UncheckedIOException(new IOException("no repository above the working directory"));
  }
}
