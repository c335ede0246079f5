/** Where documents come from: NDJSON files and FHIR Bundles. */
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

/** The DocumentReferences among a Bundle's entries (JSON text or parsed). */
export function* bundleDocuments(bundle: string | Record<string, unknown>): Generator<Record<string, unknown>> {
  const parsed = (typeof bundle === "string" ? JSON.parse(bundle) : bundle) as {
    resourceType?: string;
    entry?: Array<{ resource?: Record<string, unknown> }>;
  };
  if (parsed.resourceType !== "Bundle") {
    throw new TypeError(`expected a Bundle, got ${String(parsed.resourceType)}`);
  }
  for (const entry of parsed.entry ?? []) {
    if (entry.resource?.resourceType === "DocumentReference") {
      yield entry.resource;
    }
  }
}
