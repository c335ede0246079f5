/**
 * fhir-import client SDK: typed clients of every service, generated from
 * proto/ (protobuf-es + Connect), and the few helpers every portal needs.
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
import { createGrpcTransport } from "@connectrpc/connect-node";

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
import { retryUnavailableReads, type RetryOptions } from "./retry.js";

export * from "./authorization.js";
export * from "./credentials.js";
export * from "./files.js";
export * from "./follow.js";
export * from "./retry.js";
export * from "./sources.js";

export * from "./gen/fhir_import/v1/fhir_servers_pb.js";
export * from "./gen/fhir_import/v1/files_pb.js";
export * from "./gen/fhir_import/v1/import_pb.js";
export * from "./gen/fhir_import/v1/projects_pb.js";
export * from "./gen/fhir_import/v1/schemas_pb.js";
export { Code, ConnectError } from "@connectrpc/connect";

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
   * gRPC over HTTP/2 (Node). A browser passes a gRPC-Web transport.
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

export function connect(options: ConnectOptions): FhirImport {
  const interceptors = [retryUnavailableReads(options.retry), platformHeaders(options.token)];
  const transport = options.transport
    ? options.transport(options.baseUrl, interceptors)
    : createGrpcTransport({ baseUrl: options.baseUrl, interceptors });
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
>;

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
  async function* requests() {
    yield { kind: { case: "header" as const, value: { ...options, project } } };
    for await (const document of documents) {
      yield { kind: { case: "document" as const, value: documentInput(document) } };
    }
  }
  return client.imports.importDocuments(requests());
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
