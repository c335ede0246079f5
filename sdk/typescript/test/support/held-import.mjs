// What the resume tests interrupt: an import whose stream sends a few
// documents and stays open until released, and a watch following it.
import assert from "node:assert/strict";

import { document } from "./documents.mjs";

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Streams `count` documents into a new project with `importDocuments(client, project, source)`
 * and keeps the stream open; resolves once the server has received them all.
 */
export async function heldImport(client, importDocuments, projectName, count = 5) {
  const project = await client.projects.createProject({ name: projectName });
  let release;
  const held = new Promise((resolve) => (release = resolve));
  async function* documents() {
    for (let n = 0; n < count; n++) yield document(n);
    await held;
  }
  const sending = importDocuments(client, project.id, documents()).catch((err) => err);
  for (;;) {
    const { imports } = await client.imports.listImports({ project: project.id });
    if (imports[0]?.counts?.received === BigInt(count)) {
      return { importId: imports[0].id, release, sending };
    }
    await pause(50);
  }
}

/** Follows the import with `watchImport` into `events`; resolves once the first event came. */
export async function follow(watchImport, imports, importId, options) {
  const events = [];
  const following = (async () => {
    for await (const event of watchImport(imports, importId, options)) events.push(event);
  })();
  while (events.length === 0) await pause(20);
  return { events, following };
}

/** One snapshot, then sequences increasing with none seen twice. */
export function assertNothingMissedOrRepeated(events) {
  assert.equal(events.filter((e) => e.kind.case === "snapshot").length, 1, "one snapshot");
  const sequences = events.slice(1).map((e) => e.sequence);
  assert.deepEqual(sequences, [...new Set(sequences)].sort((a, b) => (a < b ? -1 : 1)), "increasing, none twice");
}
