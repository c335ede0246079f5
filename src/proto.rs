//! The generated protobuf and gRPC code, and the descriptor set served
//! through reflection.

/// The messages and client stubs (the Rust SDK's), and the server stubs.
#[allow(clippy::all, clippy::pedantic)]
pub mod v1 {
    pub use fhir_import_client::proto::v1::*;
    tonic::include_proto!("fhir_import.v1");
}

pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/fhir_import_descriptor.bin"));
