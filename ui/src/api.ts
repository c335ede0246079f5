/**
 * The service's clients over gRPC-Web (the TypeScript SDK's browser entry,
 * same origin), and failed calls in words.
 */
import { connect, typedError, Code, type FhirImport } from "@fhir-import/client/web";

import type { Session } from "./auth.js";

export type { FhirImport };

export function connectApi(session: Session): FhirImport {
  return connect({ baseUrl: location.origin, token: () => session.token() });
}

export type ProblemKind = "signed-out" | "denied" | "not-found" | "reconnecting" | "busy" | "other";

/** A failed call as a person reads it. */
export interface Problem {
  kind: ProblemKind;
  text: string;
}

/** Failures worth trying again by themselves: the server or the network is away for a moment. */
export function isPassing(problem: Problem): boolean {
  return problem.kind === "reconnecting" || problem.kind === "busy";
}

/** `err` in words, by its status; an UNAUTHENTICATED one also tells the session. */
export function describe(err: unknown, session?: Session): Problem {
  const error = typedError(err);
  const said = error.rawMessage;
  switch (error.code) {
    case Code.Unauthenticated:
      session?.unauthenticated();
      return { kind: "signed-out", text: "Your sign-in is no longer valid. Sign in again." };
    case Code.PermissionDenied:
      return { kind: "denied", text: `You are not allowed to see this: ${said}.` };
    case Code.NotFound:
      return { kind: "not-found", text: `Not found, or you are not a member of its project: ${said}.` };
    case Code.ResourceExhausted:
      return { kind: "busy", text: `The server is busy (${said}); trying again shortly…` };
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    // A browser reports a refused or dropped connection as an unknown error.
    case Code.Unknown:
    case Code.Aborted:
      return { kind: "reconnecting", text: "The server cannot be reached right now; reconnecting…" };
    default:
      return { kind: "other", text: `The server answered ${Code[error.code] ?? "an error"}: ${said}` };
  }
}
