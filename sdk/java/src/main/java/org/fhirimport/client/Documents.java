package org.fhirimport.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Sources of documents: NDJSON files and FHIR Bundles. */
public final class Documents {
  private Documents() {}

  /**
   * The lines of an NDJSON file, one DocumentReference each, read as the
   * import takes them (the file is never held in memory). Blank lines are
   * skipped; every other line goes to the server, which rejects a bad one by
   * its index among the documents. Close the stream (try-with-resources).
   */
  public static Stream<String> ndjson(Path path) throws IOException {
    return Files.lines(path, StandardCharsets.UTF_8).filter(line -> !line.isBlank());
  }

  /**
   * The DocumentReferences among a Bundle's entries, as JSON text; other
   * resources are left out.
   *
   * @throws IllegalArgumentException when the JSON is not a Bundle
   */
  public static List<String> bundle(String bundleJson) {
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(bundleJson);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    return bundle(parsed);
  }

  /** {@link #bundle(String)} of a file. */
  public static List<String> bundle(Path path) throws IOException {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return bundle(JsonParser.parseReader(reader));
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(path + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static List<String> bundle(JsonElement parsed) {
    String type =
        parsed.isJsonObject() && parsed.getAsJsonObject().has("resourceType")
            ? parsed.getAsJsonObject().get("resourceType").getAsString()
            : "no resourceType";
    if (!type.equals("Bundle")) {
      throw new IllegalArgumentException("expected a Bundle, got " + type);
    }
    List<String> documents = new ArrayList<>();
    JsonElement entries = parsed.getAsJsonObject().get("entry");
    if (entries == null || !entries.isJsonArray()) {
      return documents;
    }
    for (JsonElement entry : (JsonArray) entries) {
      if (!entry.isJsonObject()) {
        continue;
      }
      JsonElement resource = entry.getAsJsonObject().get("resource");
      if (resource != null && resource.isJsonObject()) {
        JsonObject object = resource.getAsJsonObject();
        JsonElement resourceType = object.get("resourceType");
        if (resourceType != null
            && resourceType.isJsonPrimitive()
            && resourceType.getAsString().equals("DocumentReference")) {
          documents.add(object.toString());
        }
      }
    }
    return documents;
  }
}
