/** NDJSON files as a source of documents (Node). */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/**
 * The lines of an NDJSON file, one document each, read as the import takes
 * them (the file is never held in memory). Blank lines are skipped; every
 * other line goes to the server, which rejects a bad one by its index.
 */
export async function* ndjsonDocuments(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== "") {
      yield line;
    }
  }
}
