// Following an import through a server restart: the watch reconnects and
// resumes after the last sequence it saw, missing and repeating nothing.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Code, ConnectError, ImportState, connect, importDocuments, watchImport } from "../dist/index.js";
import { startServer } from "./support/server.mjs";
import { document } from "./support/documents.mjs";

test("a watch resumes by sequence after the server restarts", async () => {
  const server = await startServer({ FHIR_IMPORT__SHUTDOWN_GRACE_MS: "300" });
  try {
    const client = connect({ baseUrl: server.baseUrl, token: server.token });
    const project = await client.projects.createProject({ name: "ts-resume" });
    // A stream that sends five documents and stays open: the import keeps
    // receiving until the restart cuts it.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    async function* documents() {
      for (let n = 0; n < 5; n++) yield document(n);
      await held;
    }
    const sending = importDocuments(client, project.id, documents()).catch((err) => err);
    const importId = await (async () => {
      for (;;) {
        const { imports } = await client.imports.listImports({ project: project.id });
        if (imports[0]?.counts?.received === 5n) return imports[0].id;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const reconnects = [];
    const events = [];
    const following = (async () => {
      for await (const event of watchImport(client.imports, importId, {
        onReconnect: (error, attempt) => reconnects.push([error.code, attempt]),
      })) {
        events.push(event);
      }
    })();
    while (events.length === 0) await new Promise((r) => setTimeout(r, 20));

    await server.restart();
    release();
    const cut = await sending;
    assert.ok(cut instanceof ConnectError && cut.code === Code.Unavailable, `the stream was cut: ${cut}`);
    await following;

    assert.ok(reconnects.length >= 1, "the watch reconnected");
    assert.ok(reconnects.every(([code]) => code === Code.Unavailable), JSON.stringify(reconnects));
    assert.equal(events.filter((e) => e.kind.case === "snapshot").length, 1, "one snapshot");
    const sequences = events.slice(1).map((e) => e.sequence);
    assert.deepEqual(sequences, [...new Set(sequences)].sort((a, b) => (a < b ? -1 : 1)), "increasing, none twice");
    const last = events.at(-1);
    assert.equal(last.kind.case, "stateChange");
    assert.equal(last.kind.value.state, ImportState.COMPLETED_WITH_ERRORS);
    const finished = await client.imports.getImport({ importId });
    assert.equal(finished.lastSequence, last.sequence, "the watch saw the import's last event");
    assert.equal(finished.counts.imported, 5n);
  } finally {
    await server.stop();
  }
});

test("a watch resumes by sequence after the connection drops (kill -9)", async () => {
  // A short lease: the restarted server takes the killed one's import over at once.
  const server = await startServer({ FHIR_IMPORT__IMPORT__LEASE_MS: "500" });
  try {
    const client = connect({ baseUrl: server.baseUrl, token: server.token });
    const project = await client.projects.createProject({ name: "ts-dropped" });
    let release;
    const held = new Promise((resolve) => (release = resolve));
    async function* documents() {
      for (let n = 0; n < 5; n++) yield document(n);
      await held;
    }
    const sending = importDocuments(client, project.id, documents()).catch((err) => err);
    const importId = await (async () => {
      for (;;) {
        const { imports } = await client.imports.listImports({ project: project.id });
        if (imports[0]?.counts?.received === 5n) return imports[0].id;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const reconnects = [];
    const events = [];
    const following = (async () => {
      for await (const event of watchImport(client.imports, importId, {
        onReconnect: (error) => reconnects.push(error.code),
      })) {
        events.push(event);
      }
    })();
    while (events.length === 0) await new Promise((r) => setTimeout(r, 20));

    await server.kill();
    release();
    assert.ok((await sending) instanceof ConnectError, "the stream failed with its server");
    await server.up();
    await following;

    assert.ok(reconnects.length >= 1, "the watch reconnected");
    assert.equal(events.filter((e) => e.kind.case === "snapshot").length, 1, "one snapshot");
    const sequences = events.slice(1).map((e) => e.sequence);
    assert.deepEqual(sequences, [...new Set(sequences)].sort((a, b) => (a < b ? -1 : 1)), "increasing, none twice");
    const finished = await client.imports.getImport({ importId });
    assert.equal(finished.lastSequence, events.at(-1).sequence, "the watch saw the import's last event");
  } finally {
    await server.stop();
  }
});
