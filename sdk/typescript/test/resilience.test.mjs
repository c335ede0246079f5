// Reads retried while the server restarts; writes not; documents from
// NDJSON files and Bundles.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Code, ConnectError, bundleDocuments, connect, importDocuments, ndjsonDocuments } from "../dist/index.js";
import { startServer } from "./support/server.mjs";
import { document } from "./support/documents.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test("a read is sent again while the server restarts; a write is not", async () => {
  const client = connect({
    baseUrl: server.baseUrl,
    token: server.token,
    retry: { retries: 10, backoffMs: 100 },
  });
  const project = await client.projects.createProject({ name: "ts-retry" });
  await server.down();
  try {
    await assert.rejects(
      client.projects.createProject({ name: "ts-retry-2" }),
      (err) => err instanceof ConnectError && err.code === Code.Unavailable,
    );
    const read = client.projects.getProject({ project: project.id });
    await new Promise((r) => setTimeout(r, 300));
    await server.up();
    const again = await read;
    assert.equal(again.id, project.id);
  } finally {
    await server.up().catch(() => {});
  }
});

test("documents from an NDJSON file and from a Bundle", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  const project = await client.projects.createProject({ name: "ts-sources" });
  const dir = mkdtempSync(join(tmpdir(), "ts-sdk-ndjson-"));
  try {
    const file = join(dir, "documents.ndjson");
    writeFileSync(file, `${JSON.stringify(document(1))}\n\n{broken\n${JSON.stringify(document(3))}\n`);
    const response = await importDocuments(client, project.id, ndjsonDocuments(file));
    assert.equal(response.accepted, 2n);
    assert.equal(response.rejected, 1n);
    assert.equal(response.rejections[0].index, 1n, "indexes count documents, not blank lines");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const bundle = {
    resourceType: "Bundle",
    type: "collection",
    entry: [{ resource: document(10) }, { resource: { resourceType: "Patient", id: "p" } }, { resource: document(11) }],
  };
  const fromBundle = await importDocuments(client, project.id, bundleDocuments(JSON.stringify(bundle)));
  assert.equal(fromBundle.accepted, 2n);
  assert.equal(fromBundle.rejected, 0n);
  assert.throws(() => [...bundleDocuments({ resourceType: "Patient" })], TypeError);
});
