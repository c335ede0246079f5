// The README's quickstart, run as pasted against the real server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

import { startServer } from "./support/server.mjs";

const PACKAGE = join(import.meta.dirname, "..");
let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test("the README quickstart runs as pasted", async () => {
  const readme = readFileSync(join(PACKAGE, "README.md"), "utf8");
  const quickstart = readme.split("## Quickstart")[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(quickstart, "README.md has a js block under Quickstart");
  assert.ok(quickstart.trim().split("\n").length <= 15, "the quickstart is at most 15 lines");
  // Inside the package, so that `@fhir-import/client` resolves to itself.
  const script = join(PACKAGE, "test", ".quickstart.mjs");
  writeFileSync(script, quickstart);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      env: { ...process.env, FHIR_IMPORT_SERVER: server.baseUrl, FHIR_IMPORT_TOKEN: server.token },
    });
    assert.match(stdout, /accepted 1, rejected 1/);
    assert.match(stdout, /reads-1\.cram/);
  } finally {
    rmSync(script, { force: true });
  }
});
