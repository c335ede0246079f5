package org.fhirimport.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which files {@link FilesApi#listFiles(String, ListFilesOptions)} lists.
 *
 * @param where only files whose metadata has every key with exactly this value
 * @param importId only files created or last overwritten by this import (empty: any)
 * @param pageSize files per page (0: the server's default)
 */
public record ListFilesOptions(Map<String, String> where, String importId, int pageSize) {
  /** Every file. */
  public static final ListFilesOptions ALL = new ListFilesOptions(Map.of(), "", 0);

  /** Copies {@code where}; nulls are the defaults. */
  public ListFilesOptions {
    where = where == null ? Map.of() : Map.copyOf(where);
    importId = importId == null ? "" : importId;
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative");
    }
  }

  /** Files whose metadata has {@code key} = {@code value}. */
  public static ListFilesOptions where(String key, String value) {
    return ALL.and(key, value);
  }

  /** Files whose metadata has every key with exactly its value. */
  public static ListFilesOptions where(Map<String, String> where) {
    return new ListFilesOptions(where, "", 0);
  }

  /** These options and also {@code key} = {@code value}. */
  public ListFilesOptions and(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(where);
    more.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    return new ListFilesOptions(more, importId, pageSize);
  }

  /** These options, only files of {@code importId}. */
  public ListFilesOptions withImportId(String importId) {
    return new ListFilesOptions(where, importId, pageSize);
  }

  /** These options, {@code pageSize} files per page. */
  public ListFilesOptions withPageSize(int pageSize) {
    return new ListFilesOptions(where, importId, pageSize);
  }
}
