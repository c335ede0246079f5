/**
 * The client, whatever the runtime: typed clients of every service over a
 * transport the entry point chooses (gRPC on Node, gRPC-Web in a browser),
 * and streaming documents into an import.
 *
 * Every call carries `Authorization: Bearer <token>` and
 * `x-sbg-advance-access: advance` without the caller asking.
 */
import {
  Code,
  ConnectError,
  createClient,
  type Client,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";

import { FhirServerService } from "./gen/fhir_import/v1/fhir_servers_pb.js";
import { FileService } from "./gen/fhir_import/v1/files_pb.js";
import {
  ConflictPolicy,
  ImportService,
  type ImportDocumentsResponse,
  type ImportHeader,
} from "./gen/fhir_import/v1/import_pb.js";
import { ProjectService } from "./gen/fhir_import/v1/projects_pb.js";
import { SchemaService } from "./gen/fhir_import/v1/schemas_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ImportHeaderSchema } from "./gen/fhir_import/v1/import_pb.js";
import type { TokenSource } from "./credentials.js";
import { typedErrors } from "./errors.js";
import { retryUnavailableReads, type RetryOptions } from "./retry.js";



/** The header the platform requires on every call, and its value. */
export const ADVANCE_ACCESS_HEADER = "x-sbg-advance-access";
export const ADVANCE_ACCESS_VALUE = "advance";


/** Adds the bearer token and the advance-access header to every call. */
export function platformHeaders(token: TokenSource): Interceptor {
  return (next) => async (request) => {
    let value: string;
    try {
      value = typeof token === "string" ? token : await token();
    } catch (err) {
      // No token, no call: said as the server would say it.
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConnectError(`no access token: ${reason}`, Code.Unauthenticated, undefined, undefined, err);
    }
    request.header.set("authorization", `Bearer ${value}`);
    request.header.set(ADVANCE_ACCESS_HEADER, ADVANCE_ACCESS_VALUE);
    return next(request);
  };
}

export interface ConnectOptions {
  /** Where the service listens, e.g. `http://127.0.0.1:50051`. */
  baseUrl: string;
  /** The bearer token the calls carry. */
  token: TokenSource;
  /**
   * Builds the transport from the interceptors the SDK needs; by default
   * gRPC over HTTP/2 on Node and gRPC-Web in a browser.
   */
  transport?: (baseUrl: string, interceptors: Interceptor[]) => Transport;
  /** Retries of reads after UNAVAILABLE (`{ retries: 0 }` turns them off). */
  retry?: RetryOptions;
}

/** One typed client per service, sharing one transport. */
export interface FhirImport {
  imports: Client<typeof ImportService>;
  projects: Client<typeof ProjectService>;
  files: Client<typeof FileService>;
  fhirServers: Client<typeof FhirServerService>;
  schemas: Client<typeof SchemaService>;
}

/** The clients over `defaultTransport` unless the options bring their own. */
export function connectWith(
  options: ConnectOptions,
  defaultTransport: (baseUrl: string, interceptors: Interceptor[]) => Transport,
): FhirImport {
  const interceptors = [
    typedErrors(),
    retryUnavailableReads(options.retry),
    platformHeaders(options.token),
  ];
  const transport = (options.transport ?? defaultTransport)(options.baseUrl, interceptors);
  return {
    imports: createClient(ImportService, transport),
    projects: createClient(ProjectService, transport),
    files: createClient(FileService, transport),
    fhirServers: createClient(FhirServerService, transport),
    schemas: createClient(SchemaService, transport),
  };
}

/** A document to import: a DocumentReference (JSON text or object), or a
 * reference (`DocumentReference/<id>`) the service reads from the header's
 * FHIR server; with metadata of the portal's own if wanted. */
export type DocumentSource =
  | string
  | Record<string, unknown>
  | { reference: string; metadata?: Record<string, string> }
  | { resource: string | Record<string, unknown>; metadata?: Record<string, string> };

export type ImportOptions = Omit<
  MessageInitShape<typeof ImportHeaderSchema>,
  "$typeName" | "project"
> & {
  /**
   * Told how many documents the stream has taken so far, after each one.
   * The stream takes documents as the server reads them, so this follows
   * the server, not the input.
   */
  onProgress?: (sent: number) => void;
  /** The call's deadline (ms), for the whole stream. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

/**
 * Streams `documents` into `project` as one ImportDocuments call. The
 * documents are pulled from the (async) iterable as the stream takes them,
 * so a large input is never held in memory. Resolves with the response:
 * counts, and each rejected document's index, id, code and message.
 */
export async function importDocuments(
  client: FhirImport,
  project: string,
  documents: Iterable<DocumentSource> | AsyncIterable<DocumentSource>,
  options: ImportOptions = {},
): Promise<ImportDocumentsResponse> {
  const { onProgress, timeoutMs, signal, ...header } = options;
  async function* requests() {
    yield { kind: { case: "header" as const, value: { ...header, project } } };
    let sent = 0;
    for await (const document of documents) {
      yield { kind: { case: "document" as const, value: documentInput(document) } };
      sent += 1;
      onProgress?.(sent);
    }
  }
  return client.imports.importDocuments(requests(), { timeoutMs, signal });
}

function documentInput(document: DocumentSource) {
  if (typeof document === "string") {
    return { source: { case: "resourceJson" as const, value: document } };
  }
  if ("reference" in document && typeof document.reference === "string" && !("resourceType" in document)) {
    return {
      source: { case: "reference" as const, value: document.reference },
      metadata: (document as { metadata?: Record<string, string> }).metadata ?? {},
    };
  }
  if ("resource" in document && !("resourceType" in document)) {
    const resource = (document as { resource: string | Record<string, unknown> }).resource;
    return {
      source: {
        case: "resourceJson" as const,
        value: typeof resource === "string" ? resource : JSON.stringify(resource),
      },
      metadata: (document as { metadata?: Record<string, string> }).metadata ?? {},
    };
  }
  return { source: { case: "resourceJson" as const, value: JSON.stringify(document) } };
}

export { ConflictPolicy };
export type { ImportHeader };
