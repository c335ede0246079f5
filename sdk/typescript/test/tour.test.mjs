// The tour, through the SDK against the real server: a project, an import
// with one rejection, its events to the end, its files; typed errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
  Code,
  ConflictPolicy,
  ConnectError,
  ImportState,
  connect,
  importDocuments,
  watchImport,
} from "../dist/index.js";
import { startServer } from "./support/server.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

function document(n) {
  return {
    resourceType: "DocumentReference",
    id: `doc-${n}`,
    status: "current",
    subject: { reference: `Patient/pt-${n}` },
    content: [{ attachment: { url: `drs://example.org/file-${n}`, title: `sample-${n}.cram`, size: 1000 + n } }],
  };
}

test("an import with one rejection, followed to its end, makes files", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  const project = await client.projects.createProject({ name: "ts-tour" });

  async function* documents() {
    yield document(0);
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

  let last;
  for await (const event of watchImport(client, response.importId)) {
    assert.ok(last === undefined || event.sequence > last.sequence, "sequences increase");
    last = event;
  }
  const finished = await client.imports.getImport({ importId: response.importId });
  assert.equal(finished.state, ImportState.COMPLETED_WITH_ERRORS);

  const files = await client.files.listFiles({ project: project.id });
  assert.deepEqual(
    files.files.map((f) => f.name).sort(),
    ["sample-0.cram", "sample-2.cram"],
  );
});

test("errors are typed: an unknown import is NOT_FOUND", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  await assert.rejects(
    client.imports.getImport({ importId: "01890000-0000-7000-8000-000000000000" }),
    (err) => err instanceof ConnectError && err.code === Code.NotFound,
  );
});

test("a call without a valid token is UNAUTHENTICATED", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: "not-a-token" });
  await assert.rejects(
    client.projects.listProjects({}),
    (err) => err instanceof ConnectError && err.code === Code.Unauthenticated,
  );
});
