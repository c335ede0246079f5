// The tour, through the SDK against the real server: a project, an import
// with one rejection and metadata, its events to the end, its files
// filtered by metadata.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
  ConflictPolicy,
  ImportState,
  connect,
  importDocuments,
  listFiles,
  waitForImport,
  watchImport,
} from "../dist/index.js";
import { startServer } from "./support/server.mjs";
import { document } from "./support/documents.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test("an import with one rejection, followed to its end, makes files", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  const project = await client.projects.createProject({ name: "ts-tour" });

  async function* documents() {
    yield { resource: document(0), metadata: { study: "SD_TS" } };
    yield "{not json";
    yield JSON.stringify(document(2));
  }
  const response = await importDocuments(client, project.id, documents(), {
    onConflict: ConflictPolicy.SKIP,
  });
  assert.equal(response.accepted, 2n);
  assert.equal(response.rejected, 1n);
  assert.equal(response.rejections.length, 1);
  assert.equal(response.rejections[0].index, 1n);
  assert.notEqual(response.rejections[0].code, "");

  const events = [];
  for await (const event of watchImport(client.imports, response.importId)) {
    events.push(event);
  }
  assert.equal(events[0].kind.case, "snapshot");
  for (let i = 2; i < events.length; i++) {
    assert.ok(events[i].sequence > events[i - 1].sequence, "sequences increase");
  }
  const finished = await waitForImport(client.imports, response.importId);
  assert.equal(finished.state, ImportState.COMPLETED_WITH_ERRORS);

  const all = [];
  for await (const file of listFiles(client.files, project.id, { pageSize: 1 })) {
    all.push(file.name);
  }
  assert.deepEqual(all.sort(), ["sample-0.cram", "sample-2.cram"]);
  const tagged = [];
  for await (const file of listFiles(client.files, project.id, { where: { study: "SD_TS" } })) {
    tagged.push(file.name);
  }
  assert.deepEqual(tagged, ["sample-0.cram"]);
});
