// Each status the API documents reaches the caller as its own error class,
// from unary calls and from streams alike, still a ConnectError with the
// server's message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
  Code,
  ConnectError,
  FailedPreconditionError,
  FhirImportError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  clientCredentials,
  connect,
  importDocuments,
  waitForImport,
  watchImport,
} from "../dist/index.js";
import { startServer } from "./support/server.mjs";
import { document } from "./support/documents.mjs";

const UNKNOWN_IMPORT = "01890000-0000-7000-8000-000000000000";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** A matcher for assert.rejects: the class, its code, and a message from the server. */
function typed(Class, code) {
  return (err) => {
    assert.ok(err instanceof Class, `${err?.name}: ${err?.message} is not a ${Class.name}`);
    assert.ok(err instanceof FhirImportError && err instanceof ConnectError);
    assert.equal(err.name, Class.name);
    for (const Other of [UnauthenticatedError, PermissionDeniedError, NotFoundError, FailedPreconditionError, InvalidArgumentError]) {
      if (Other !== Class) assert.ok(!(err instanceof Other), `a ${Class.name} is not a ${Other.name}`);
    }
    assert.equal(err.code, code);
    assert.notEqual(err.rawMessage, "", "the server's message is kept");
    return true;
  };
}

test("a call with a token the server never issued is UnauthenticatedError", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: "not-a-token" });
  await assert.rejects(client.projects.listProjects({}), typed(UnauthenticatedError, Code.Unauthenticated));
});

test("a portal's own token asking for a user's projects is PermissionDeniedError", async () => {
  const token = clientCredentials({
    tokenUrl: `${server.baseUrl}/oauth/token`,
    clientId: server.portal.client_id,
    clientSecret: server.portal.client_secret,
  });
  const client = connect({ baseUrl: server.baseUrl, token });
  await assert.rejects(client.projects.listProjects({}), typed(PermissionDeniedError, Code.PermissionDenied));
});

test("an unknown project or import is NotFoundError, from a unary call and from a stream", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  await assert.rejects(client.projects.getProject({ project: "sdk/no-such-project" }), typed(NotFoundError, Code.NotFound));
  await assert.rejects(client.imports.getImport({ importId: UNKNOWN_IMPORT }), typed(NotFoundError, Code.NotFound));
  await assert.rejects(async () => {
    for await (const _ of watchImport(client.imports, UNKNOWN_IMPORT)) {
      assert.fail("no event for an unknown import");
    }
  }, typed(NotFoundError, Code.NotFound));
  await assert.rejects(importDocuments(client, "sdk/no-such-project", [document(1)]), typed(NotFoundError, Code.NotFound));
});

test("cancelling a finished import is FailedPreconditionError", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  const project = await client.projects.createProject({ name: "ts-errors" });
  const response = await importDocuments(client, project.id, [document(1)]);
  await waitForImport(client.imports, response.importId);
  await assert.rejects(
    client.imports.cancelImport({ importId: response.importId }),
    typed(FailedPreconditionError, Code.FailedPrecondition),
  );
});

test("a malformed request is InvalidArgumentError", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  await assert.rejects(client.projects.createProject({ name: "" }), typed(InvalidArgumentError, Code.InvalidArgument));
});

test("the progress callback follows the documents the stream takes", async () => {
  const client = connect({ baseUrl: server.baseUrl, token: server.token });
  const project = await client.projects.createProject({ name: "ts-progress" });
  const seen = [];
  const documents = Array.from({ length: 40 }, (_, n) => document(n));
  const response = await importDocuments(client, project.id, documents, { onProgress: (sent) => seen.push(sent) });
  assert.equal(response.accepted, 40n);
  assert.deepEqual(seen, Array.from({ length: 40 }, (_, n) => n + 1));
});
