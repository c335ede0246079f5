// The browser entry point (`@fhir-import/client/web`, and the package's
// `browser` condition) loads without Node built-ins or the Node transport,
// and offers the same client and helpers as the Node entry, minus the Node
// parts, and calls the server over gRPC-Web.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

function exportsUnder(args, entry) {
  const script = `const m = await import(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(m).sort()));`;
  return JSON.parse(execFileSync(process.execPath, [...args, "--input-type=module", "-e", script], { cwd: PACKAGE, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

test("the web entry loads with every Node built-in refused", () => {
  const names = exportsUnder(["--import", "./test/support/browser-only.mjs"], "@fhir-import/client/web");
  for (const name of ["connect", "watchImport", "listFiles", "importDocuments", "clientCredentials", "NotFoundError", "ImportService"]) {
    assert.ok(names.includes(name), `web entry exports ${name}`);
  }
});

test("the hook does refuse the Node entry, so the check above can fail", () => {
  assert.throws(
    () => exportsUnder(["--import", "./test/support/browser-only.mjs"], "@fhir-import/client"),
    /not for a browser: (node:|@connectrpc\/connect-node)/,
  );
});

test("a bundler's browser condition picks the web entry; it lacks only the Node parts", () => {
  const web = exportsUnder(["--conditions=browser"], "@fhir-import/client");
  const node = exportsUnder([], "@fhir-import/client");
  const onlyNode = node.filter((name) => !web.includes(name));
  assert.deepEqual(onlyNode.sort(), ["authorizationRequest", "exchangeCode", "ndjsonDocuments", "refreshTokenSource"].sort());
  assert.deepEqual(web.filter((name) => !node.includes(name)), []);
});

test("over gRPC-Web, the web client calls the server, follows an import and lists its files", async () => {
  const { startServer } = await import("./support/server.mjs");
  const { document } = await import("./support/documents.mjs");
  const node = await import("@fhir-import/client");
  const web = await import("@fhir-import/client/web");
  const server = await startServer();
  try {
    const page = web.connect({ baseUrl: server.baseUrl, token: server.token });
    const project = await page.projects.createProject({ name: "ts-web" });
    // Browsers cannot stream requests: an import is sent from Node (or the
    // CLI); the page follows it and reads its files.
    const portal = node.connect({ baseUrl: server.baseUrl, token: server.token });
    const response = await node.importDocuments(portal, project.id, [document(1), "{broken", document(2)]);
    const events = [];
    for await (const event of web.watchImport(page.imports, response.importId)) events.push(event);
    assert.equal(events[0].kind.case, "snapshot");
    const finished = await page.imports.getImport({ importId: response.importId });
    assert.equal(events.at(-1).sequence, finished.lastSequence, "the stream reached the import's last event");
    const names = [];
    for await (const file of web.listFiles(page.files, project.id)) names.push(file.name);
    assert.deepEqual(names.sort(), ["sample-1.cram", "sample-2.cram"]);
    await assert.rejects(
      page.projects.getProject({ project: "sdk/nope" }),
      (err) => err instanceof web.NotFoundError,
    );
    const stranger = web.connect({ baseUrl: server.baseUrl, token: "not-a-token" });
    await assert.rejects(stranger.projects.listProjects({}), (err) => err instanceof web.UnauthenticatedError);
  } finally {
    await server.stop();
  }
});

// gRPC-Web frames as a server sends them: messages, then the trailer.
const frame = (flags, bytes) => {
  const out = new Uint8Array(5 + bytes.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
};

/**
 * A fetch that answers each WatchImport request with the next script in
 * turn: frames of events, then the end (a trailer, or an error that cuts
 * the body), or a failure of fetch itself. Keeps each request's
 * after_sequence.
 */
async function scriptedFetch(scripts) {
  const { create, toBinary, fromBinary } = await import("@bufbuild/protobuf");
  const web = await import("@fhir-import/client/web");
  const event = (sequence, kind) => frame(0, toBinary(web.ImportEventSchema, create(web.ImportEventSchema, { sequence, kind })));
  const encoder = new TextEncoder();
  const trailer = (status, message = "") =>
    frame(0x80, encoder.encode(`grpc-status: ${status}\r\n${message ? `grpc-message: ${message}\r\n` : ""}`));
  const requests = [];
  const fetch = async (_url, init) => {
    requests.push(fromBinary(web.WatchImportRequestSchema, init.body.subarray(5)).afterSequence);
    const script = scripts[requests.length - 1];
    if (!script) throw new Error("no more answers scripted");
    if (script.refuse) throw script.refuse;
    const chunks = script.frames({ event, trailer });
    let next = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (next < chunks.length) controller.enqueue(chunks[next++]);
        else if (script.cut) controller.error(script.cut);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "application/grpc-web+proto" } });
  };
  return { fetch, requests };
}

const snapshot = (lastSequence) => ({ case: "snapshot", value: { id: "import-1", lastSequence } });
const progress = { case: "progress", value: {} };

test("over gRPC-Web, a watch resumes after a failed fetch and a cut body, from the last sequence", async () => {
  const web = await import("@fhir-import/client/web");
  const { createGrpcWebTransport } = await import("@connectrpc/connect-web");
  const { fetch, requests } = await scriptedFetch([
    // Chromium's words for a body cut short, then for a refused connection.
    { frames: ({ event }) => [event(2n, snapshot(2n)), event(1n, progress), event(2n, progress)], cut: new TypeError("network error") },
    { refuse: new TypeError("Failed to fetch") },
    { frames: ({ event, trailer }) => [event(3n, snapshot(3n)), event(3n, progress), trailer(0)] },
  ]);
  const client = web.connect({
    baseUrl: "http://fhir-import.invalid",
    token: "t",
    transport: (baseUrl, interceptors) => createGrpcWebTransport({ baseUrl, interceptors, fetch }),
  });
  const reconnects = [];
  const resumed = [];
  const events = [];
  for await (const event of web.watchImport(client.imports, "import-1", {
    backoffMs: 1,
    onReconnect: (error, attempt) => reconnects.push([error.code, attempt, error.rawMessage]),
    onResumed: (snapshotEvent) => resumed.push(snapshotEvent.kind.value.lastSequence),
  })) {
    events.push(event.kind.case === "snapshot" ? "snapshot" : event.sequence);
  }
  assert.deepEqual(events, ["snapshot", 1n, 2n, 3n]);
  assert.deepEqual(requests, [0n, 2n, 2n], "each reconnect asks for the events after the last one yielded");
  assert.deepEqual(reconnects, [
    [web.Code.Unknown, 1, "network error"],
    [web.Code.Unknown, 2, "Failed to fetch"],
  ]);
  assert.deepEqual(resumed, [3n], "told once the reconnect worked");
});

test("over gRPC-Web, an UNKNOWN status the server sent ends the watch", async () => {
  const web = await import("@fhir-import/client/web");
  const { createGrpcWebTransport } = await import("@connectrpc/connect-web");
  const { fetch, requests } = await scriptedFetch([
    { frames: ({ event, trailer }) => [event(1n, snapshot(1n)), trailer(2, "something broke")] },
    { frames: ({ event, trailer }) => [event(1n, snapshot(1n)), trailer(0)] },
  ]);
  const client = web.connect({
    baseUrl: "http://fhir-import.invalid",
    token: "t",
    transport: (baseUrl, interceptors) => createGrpcWebTransport({ baseUrl, interceptors, fetch }),
  });
  const reconnects = [];
  await assert.rejects(
    async () => {
      for await (const _ of web.watchImport(client.imports, "import-1", { backoffMs: 1, onReconnect: () => reconnects.push(1) })) {
        // The snapshot, then the server's status.
      }
    },
    (err) => err instanceof web.FhirImportError && err.code === web.Code.Unknown && err.rawMessage === "something broke",
  );
  assert.deepEqual(reconnects, []);
  assert.equal(requests.length, 1, "not sent again");
});

test("over gRPC-Web, a watch resumes by sequence after the connection drops (kill -9)", async () => {
  const { startServer } = await import("./support/server.mjs");
  const { assertNothingMissedOrRepeated, follow, heldImport } = await import("./support/held-import.mjs");
  const node = await import("@fhir-import/client");
  const web = await import("@fhir-import/client/web");
  // A short lease: the restarted server takes the killed one's import over at once.
  const server = await startServer({ FHIR_IMPORT__IMPORT__LEASE_MS: "500" });
  try {
    const portal = node.connect({ baseUrl: server.baseUrl, token: server.token });
    const page = web.connect({ baseUrl: server.baseUrl, token: server.token });
    // Five documents on a stream that stays open until the server dies.
    const { importId, release, sending } = await heldImport(portal, node.importDocuments, "ts-web-dropped");
    const reconnects = [];
    const resumed = [];
    const { events, following } = await follow(web.watchImport, page.imports, importId, {
      onReconnect: (error) => reconnects.push(`${web.Code[error.code]}: ${error.rawMessage}`),
      onResumed: (snapshot) => resumed.push(snapshot.kind.value.lastSequence),
    });

    await server.kill();
    release();
    assert.ok((await sending) instanceof web.ConnectError, "the import's stream failed with its server");
    await server.up();
    await following;

    assert.ok(reconnects.length >= 1, "the watch reconnected");
    assert.ok(reconnects.every((said) => said.startsWith("Unknown: ")), `fetch failures: ${JSON.stringify(reconnects)}`);
    assert.equal(resumed.length, 1, "resumed once");
    assertNothingMissedOrRepeated(events);
    const last = events.at(-1);
    assert.equal(last.kind.case, "stateChange");
    assert.ok(web.isTerminal(last.kind.value.state), "the watch reached the import's end");
    const finished = await page.imports.getImport({ importId });
    assert.equal(finished.lastSequence, last.sequence, "the watch saw the import's last event");
  } finally {
    await server.stop();
  }
});
