/**
 * Typed errors: every failed call rejects with a subclass of
 * `FhirImportError` (itself a `ConnectError`) named after its status, so a
 * portal can write `if (err instanceof NotFoundError)` and still read
 * `err.code`, `err.rawMessage` (the server's message) and `err.details`.
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** The language's own `instanceof`: `Class.prototype` is on `value`'s prototype chain. */
function madeBy(Class: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  return Function.prototype[Symbol.hasInstance].call(Class, value);
}

/** A failed call: its status `code`, the server's message and details. */
export class FhirImportError extends ConnectError {
  override name = "FhirImportError";

  /**
   * `instanceof` by the prototype chain, for this class and every class
   * below. ConnectError's own check, which the classes would inherit, holds
   * for any error named "ConnectError" (so that two copies of Connect in one
   * bundle know each other's errors): every failure would be a NotFoundError.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return madeBy(this, value);
  }
}

// ConnectError's check accepts its direct instances and errors named
// "ConnectError"; the typed errors are neither, as they carry their class's
// name. Taught once that they are ConnectErrors too: for the caller's
// `instanceof ConnectError`, and for Connect itself, whose
// `ConnectError.from` would otherwise wrap a typed error in a plain one.
const connectHasInstance = ConnectError[Symbol.hasInstance];
Object.defineProperty(ConnectError, Symbol.hasInstance, {
  configurable: true,
  writable: true,
  value: function hasInstance(this: unknown, value: unknown): boolean {
    return connectHasInstance.call(this, value) || (this === ConnectError && madeBy(FhirImportError, value));
  },
});

/** The bearer token is missing, expired, revoked or not ours. */
export class UnauthenticatedError extends FhirImportError {
  override name = "UnauthenticatedError";
}
/** The token is valid but lacks the scope or the project role. */
export class PermissionDeniedError extends FhirImportError {
  override name = "PermissionDeniedError";
}
/** No such project, import, file, FHIR server or schema (or not visible to the caller). */
export class NotFoundError extends FhirImportError {
  override name = "NotFoundError";
}
/** The request is well formed but the resource is not in a state to allow it. */
export class FailedPreconditionError extends FhirImportError {
  override name = "FailedPreconditionError";
}
/** The request itself is wrong; the message says which field and why. */
export class InvalidArgumentError extends FhirImportError {
  override name = "InvalidArgumentError";
}
/** What the call would create exists already. */
export class AlreadyExistsError extends FhirImportError {
  override name = "AlreadyExistsError";
}
/** A quota or rate limit; try again later. */
export class ResourceExhaustedError extends FhirImportError {
  override name = "ResourceExhaustedError";
}
/** The server is draining, restarting or unreachable; safe reads are retried for you. */
export class UnavailableError extends FhirImportError {
  override name = "UnavailableError";
}
/** The call's deadline passed. */
export class DeadlineExceededError extends FhirImportError {
  override name = "DeadlineExceededError";
}
/** The call was cancelled (by the caller, or the import was). */
export class CanceledError extends FhirImportError {
  override name = "CanceledError";
}
/** A page token or position past the end. */
export class OutOfRangeError extends FhirImportError {
  override name = "OutOfRangeError";
}

type ErrorClass = new (
  message: string,
  code: Code,
  metadata: HeadersInit | undefined,
  details: undefined,
  cause: unknown,
) => FhirImportError;

const BY_CODE = new Map<Code, ErrorClass>([
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
]);

/** `err` as the typed error of its status (a `FhirImportError` for any other code). */
export function typedError(err: unknown): FhirImportError {
  if (err instanceof FhirImportError) return err;
  const error = ConnectError.from(err);
  const Class = BY_CODE.get(error.code) ?? FhirImportError;
  const typed = new Class(error.rawMessage, error.code, error.metadata, undefined, error.cause ?? err);
  // The server's details as received (google.rpc.Status details), decoded on
  // demand with `findDetails`, as on the ConnectError they came with.
  typed.details = error.details;
  return typed;
}

/** Turns every failed call, and every failed stream of responses, into a typed error. */
export function typedErrors(): Interceptor {
  return (next) => async (request) => {
    let response;
    try {
      response = await next(request);
    } catch (err) {
      throw typedError(err);
    }
    if (!response.stream) return response;
    const messages = response.message;
    return {
      ...response,
      message: (async function* () {
        try {
          yield* messages;
        } catch (err) {
          throw typedError(err);
        }
      })(),
    };
  };
}
