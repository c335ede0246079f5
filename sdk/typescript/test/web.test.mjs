// The browser entry point (`@fhir-import/client/web`, and the package's
// `browser` condition) loads without Node built-ins or the Node transport,
// and offers the same client and helpers as the Node entry, minus the Node
// parts. (A call over gRPC-Web needs a server that speaks it: issue 14.)
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
