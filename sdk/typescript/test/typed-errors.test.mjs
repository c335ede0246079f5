// `instanceof` tells the typed errors apart: each class holds exactly the
// errors of its status (and subclasses of its own), every one is still a
// ConnectError, and each is named after its class. No server needed: the
// errors come from typedError and from a client over an in-memory router.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRouterTransport } from "@connectrpc/connect";

import {
  AlreadyExistsError,
  CanceledError,
  Code,
  ConnectError,
  DeadlineExceededError,
  FailedPreconditionError,
  FhirImportError,
  ImportService,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  ProjectService,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  connect,
  typedError,
} from "../dist/index.js";

const CLASSES = [
  [Code.Unauthenticated, UnauthenticatedError],
  [Code.PermissionDenied, PermissionDeniedError],
  [Code.NotFound, NotFoundError],
  [Code.FailedPrecondition, FailedPreconditionError],
  [Code.InvalidArgument, InvalidArgumentError],
  [Code.AlreadyExists, AlreadyExistsError],
  [Code.ResourceExhausted, ResourceExhaustedError],
  [Code.Unavailable, UnavailableError],
  [Code.DeadlineExceeded, DeadlineExceededError],
  [Code.Canceled, CanceledError],
  [Code.OutOfRange, OutOfRangeError],
];

/** `err` is a `Class` and no other typed class, still a ConnectError, named `Class.name`. */
function assertOnly(err, Class, code) {
  assert.ok(err instanceof Class, `${err.name} ${err.message} is a ${Class.name}`);
  assert.ok(err instanceof FhirImportError, "a FhirImportError");
  assert.ok(err instanceof ConnectError, "still a ConnectError");
  assert.ok(err instanceof Error);
  assert.equal(err.name, Class.name);
  assert.equal(err.code, code);
  for (const [, Other] of CLASSES) {
    if (Other !== Class) assert.ok(!(err instanceof Other), `a ${Class.name} is not a ${Other.name}`);
  }
}

test("a PERMISSION_DENIED error is a PermissionDeniedError, not an UnauthenticatedError", () => {
  const err = typedError(new ConnectError("no project role", Code.PermissionDenied));
  assert.ok(!(err instanceof UnauthenticatedError));
  assert.ok(err instanceof PermissionDeniedError);
  assert.ok(err instanceof ConnectError);
  assert.equal(err.name, "PermissionDeniedError");
  assert.equal(err.rawMessage, "no project role");
  assert.equal(err.message, "[permission_denied] no project role");
});

test("each status becomes its own class and no other", () => {
  for (const [code, Class] of CLASSES) {
    assertOnly(typedError(new ConnectError("said by the server", code)), Class, code);
  }
});

test("another status is a FhirImportError of no narrower class", () => {
  const err = typedError(new ConnectError("boom", Code.Internal));
  assert.equal(err.name, "FhirImportError");
  assert.ok(err instanceof FhirImportError && err instanceof ConnectError);
  for (const [, Class] of CLASSES) assert.ok(!(err instanceof Class), `not a ${Class.name}`);
});

test("a ConnectError the SDK did not type is no typed class; other values are none either", () => {
  const plain = new ConnectError("x", Code.NotFound);
  assert.ok(!(plain instanceof FhirImportError));
  assert.ok(!(plain instanceof NotFoundError));
  for (const value of [new Error("x"), null, undefined, "NotFoundError", { name: "NotFoundError", code: Code.NotFound }]) {
    assert.ok(!(value instanceof NotFoundError));
    assert.ok(!(value instanceof FhirImportError));
  }
});

test("Connect keeps a typed error as it is (ConnectError.from, and a stream's end)", () => {
  const err = typedError(new ConnectError("gone", Code.NotFound));
  assert.equal(ConnectError.from(err), err);
  assert.equal(typedError(err), err);
});

test("a subclass of a typed class is that class too, and no sibling", () => {
  class SessionExpiredError extends UnauthenticatedError {}
  const err = new SessionExpiredError("expired", Code.Unauthenticated);
  assert.ok(err instanceof SessionExpiredError);
  assert.ok(err instanceof UnauthenticatedError);
  assert.ok(err instanceof FhirImportError && err instanceof ConnectError);
  assert.ok(!(err instanceof PermissionDeniedError));
  assert.ok(!(typedError(new ConnectError("x", Code.Unauthenticated)) instanceof SessionExpiredError));
});

test("a client's failed calls and streams reject with the class of their status", async () => {
  const transport = (_baseUrl, interceptors) =>
    createRouterTransport(
      ({ service }) => {
        service(ProjectService, {
          listProjects() {
            throw new ConnectError("the token lacks projects", Code.PermissionDenied);
          },
          getProject() {
            throw new ConnectError("no such project", Code.NotFound);
          },
        });
        service(ImportService, {
          // eslint-disable-next-line require-yield
          async *watchImport() {
            throw new ConnectError("no such import", Code.NotFound);
          },
        });
      },
      { transport: { interceptors } },
    );
  const client = connect({ baseUrl: "http://in-memory", token: "t", transport, retry: { retries: 0 } });
  await assert.rejects(client.projects.listProjects({}), (err) => {
    assertOnly(err, PermissionDeniedError, Code.PermissionDenied);
    assert.equal(err.rawMessage, "the token lacks projects");
    return true;
  });
  await assert.rejects(client.projects.getProject({ project: "a/b" }), (err) => {
    assertOnly(err, NotFoundError, Code.NotFound);
    return true;
  });
  await assert.rejects(async () => {
    for await (const _ of client.imports.watchImport({ importId: "x" })) assert.fail("no event");
  }, (err) => {
    assertOnly(err, NotFoundError, Code.NotFound);
    return true;
  });
});
