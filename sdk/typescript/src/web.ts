/**
 * fhir-import client SDK for browsers: the same clients and helpers as the
 * Node entry point over gRPC-Web, without what needs Node (files, the
 * portal back end's OAuth flows with a client secret). A bundler picks this
 * entry by the package's `browser` condition.
 */
import { createGrpcWebTransport } from "@connectrpc/connect-web";

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

/** The clients over gRPC-Web, unless `options.transport` says otherwise. */
export function connect(options: ConnectOptions): FhirImport {
  return connectWith(options, (baseUrl, interceptors) => createGrpcWebTransport({ baseUrl, interceptors }));
}
