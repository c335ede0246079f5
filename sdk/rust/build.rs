//! Compiles `proto/` (the repository's, or the copy a packaged crate
//! carries) into the messages and client stubs, with protox so that no
//! system `protoc` is needed.

use std::path::Path;

const PROTOS: &[&str] = &[
    "fhir_import/v1/import.proto",
    "fhir_import/v1/files.proto",
    "fhir_import/v1/projects.proto",
    "fhir_import/v1/schemas.proto",
    "fhir_import/v1/fhir_servers.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = ["../../proto", "proto"]
        .into_iter()
        .find(|dir| Path::new(dir).join(PROTOS[0]).exists())
        .ok_or("proto/ not found beside the crate or in the repository")?;
    println!("cargo:rerun-if-changed={root}");
    let mut compiler = protox::Compiler::new([root])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(PROTOS)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        .compile_fds(compiler.file_descriptor_set())?;
    Ok(())
}
