// Following an import through a server restart: the watch reconnects and
// resumes after the last sequence it saw, missing and repeating nothing.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Code, ConnectError, ImportState, connect, importDocuments, watchImport } from "../dist/index.js";
import { startServer } from "./support/server.mjs";
import { assertNothingMissedOrRepeated, follow, heldImport } from "./support/held-import.mjs";

test("a watch resumes by sequence after the server restarts", async () => {
  const server = await startServer({ FHIR_IMPORT__SHUTDOWN_GRACE_MS: "300" });
  try {
    const client = connect({ baseUrl: server.baseUrl, token: server.token });
    // A stream that sends five documents and stays open: the import keeps
    // receiving until the restart cuts it.
    const { importId, release, sending } = await heldImport(client, importDocuments, "ts-resume");
    const reconnects = [];
    const { events, following } = await follow(watchImport, client.imports, importId, {
      onReconnect: (error, attempt) => reconnects.push([error.code, attempt]),
    });

    await server.restart();
    release();
    const cut = await sending;
    assert.ok(cut instanceof ConnectError && cut.code === Code.Unavailable, `the stream was cut: ${cut}`);
    await following;

    assert.ok(reconnects.length >= 1, "the watch reconnected");
    assert.ok(reconnects.every(([code]) => code === Code.Unavailable), JSON.stringify(reconnects));
    assertNothingMissedOrRepeated(events);
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
    const { importId, release, sending } = await heldImport(client, importDocuments, "ts-dropped");
    const reconnects = [];
    const { events, following } = await follow(watchImport, client.imports, importId, {
      onReconnect: (error) => reconnects.push(error.code),
    });

    await server.kill();
    release();
    assert.ok((await sending) instanceof ConnectError, "the stream failed with its server");
    await server.up();
    await following;

    assert.ok(reconnects.length >= 1, "the watch reconnected");
    assertNothingMissedOrRepeated(events);
    const finished = await client.imports.getImport({ importId });
    assert.equal(finished.lastSequence, events.at(-1).sequence, "the watch saw the import's last event");
  } finally {
    await server.stop();
  }
});
