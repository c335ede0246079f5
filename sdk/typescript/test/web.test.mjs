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
