/**
 * fhir-import client SDK for Node: typed clients of every service,
 * generated from proto/ (protobuf-es + Connect), over gRPC (HTTP/2), and
 * the helpers every portal needs, its back end's OAuth flows and NDJSON
 * files included. Browsers get `@fhir-import/client/web`.
 */
import { createGrpcTransport } from "@connectrpc/connect-node";

import { connectWith, type ConnectOptions, type FhirImport } from "./client.js";

export * from "./client.js";
export * from "./credentials.js";
export * from "./errors.js";
export * from "./files.js";
export * from "./follow.js";
export * from "./retry.js";
export * from "./bundle.js";

export * from "./gen/fhir_import/v1/fhir_servers_pb.js";
export * from "./gen/fhir_import/v1/files_pb.js";
export * from "./gen/fhir_import/v1/import_pb.js";
export * from "./gen/fhir_import/v1/projects_pb.js";
export * from "./gen/fhir_import/v1/schemas_pb.js";
export { Code, ConnectError } from "@connectrpc/connect";
export * from "./authorization.js";
export * from "./ndjson.js";

/** The clients over gRPC (HTTP/2), unless `options.transport` says otherwise. */
export function connect(options: ConnectOptions): FhirImport {
  return connectWith(options, (baseUrl, interceptors) => createGrpcTransport({ baseUrl, interceptors }));
}
