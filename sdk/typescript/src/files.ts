/** Listing files page by page, as one iterator. */
import type { Client } from "@connectrpc/connect";

import type { File, FileService } from "./gen/fhir_import/v1/files_pb.js";

export interface ListFilesOptions {
  /** Only files whose metadata has every key with exactly this value. */
  where?: Record<string, string>;
  /** Only files created or last overwritten by this import. */
  importId?: string;
  pageSize?: number;
}

/** A project's files, oldest first, fetching the next page as needed. */
export async function* listFiles(
  files: Client<typeof FileService>,
  project: string,
  options: ListFilesOptions = {},
): AsyncGenerator<File> {
  const filters = Object.entries(options.where ?? {}).map(([key, value]) => ({ key, value }));
  let pageToken = "";
  do {
    const page = await files.listFiles({
      project,
      filters,
      importId: options.importId ?? "",
      pageSize: options.pageSize ?? 0,
      pageToken,
    });
    yield* page.files;
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
}
