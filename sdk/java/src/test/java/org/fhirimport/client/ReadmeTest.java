package org.fhirimport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quickstart, run as pasted against the real server. */
class ReadmeTest {
  private static final Pattern QUICKSTART =
      Pattern.compile("## Quickstart\\n.*?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void theReadmeQuickstartRunsAsPasted(@TempDir Path dir) throws Exception {
    String readme = Files.readString(TestServer.REPO.resolve("sdk/java/README.md"));
    Matcher match = QUICKSTART.matcher(readme);
    assertTrue(match.find(), "README.md has a java block under Quickstart");
    String quickstart = match.group(1);
    assertTrue(
        quickstart.strip().split("\n").length <= 15, "the quickstart is at most 15 lines");
    Path source = dir.resolve("Quickstart.java");
    Files.writeString(source, quickstart);

    try (TestServer server = TestServer.start()) {
      Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
      // The tests' own class path (under Maven's surefire, the one it names).
      String classPath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      ProcessBuilder run =
          new ProcessBuilder(
                  java.toString(), "-cp", classPath, source.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true);
      run.environment().put("FHIR_IMPORT_SERVER", server.baseUrl);
      run.environment().put("FHIR_IMPORT_TOKEN", server.token);
      Process process = run.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, process.exitValue(), output);
      List<String> lines = output.lines().toList();
      assertTrue(
          lines.stream().anyMatch(line -> line.startsWith("accepted 1, rejected 1: [#1 INVALID_JSON: ")),
          output);
      assertTrue(lines.contains("0 SNAPSHOT"), output);
      assertTrue(lines.stream().anyMatch(line -> line.endsWith(" STATE_CHANGE")), output);
      assertTrue(lines.contains("reads-1.cram drs://example.org/1"), output);
    }
  }
}
