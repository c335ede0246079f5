//! Compiles `proto/`'s server stubs with tonic-prost-build, using protox so that no
//! system `protoc` is needed, and writes the descriptor set that the server
//! serves through gRPC reflection.

use std::{env, fs, path::PathBuf};

const PROTOS: &[&str] = &[
    "proto/fhir_import/v1/import.proto",
    "proto/fhir_import/v1/files.proto",
    "proto/fhir_import/v1/projects.proto",
    "proto/fhir_import/v1/schemas.proto",
    "proto/fhir_import/v1/fhir_servers.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");

    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(PROTOS)?;

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(
        out_dir.join("fhir_import_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;

    // The messages and clients are the Rust SDK's (one set of types for the
    // server, the CLI and SDK users); only the server stubs are made here.
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .extern_path(".fhir_import.v1", "::fhir_import_client::proto::v1")
        .compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
