//! `--output json`: API messages printed as proto3 JSON (the mapping
//! grpcurl and every gRPC gateway use), one object per line.

use std::{io::Write, sync::OnceLock};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use serde_json::Value;

use super::error::CliError;
use crate::proto::{v1 as pb, FILE_DESCRIPTOR_SET};

/// An API message and its full protobuf name.
pub trait ApiMessage: Message + Sized {
    const NAME: &'static str;
}

macro_rules! api_messages {
    ($($ty:ident),* $(,)?) => {
        $(impl ApiMessage for pb::$ty {
            const NAME: &'static str = concat!("fhir_import.v1.", stringify!($ty));
        })*
    };
}

api_messages!(
    Project,
    Import,
    ImportItem,
    ImportEvent,
    ImportDocumentsResponse,
    File,
    RescrapeFilesResponse,
);

fn pool() -> Result<&'static DescriptorPool, CliError> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| DescriptorPool::decode(FILE_DESCRIPTOR_SET).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CliError::Input(format!("the built-in API description is unusable: {e}")))
}

/// `message` as proto3 JSON: camelCase names, enums by name, 64-bit
/// integers as strings; fields at their defaults are printed too, so a
/// script finds every key (an `index` of 0, a count of 0).
pub fn to_json<M: ApiMessage>(message: &M) -> Result<Value, CliError> {
    let descriptor = pool()?
        .get_message_by_name(M::NAME)
        .ok_or_else(|| CliError::Input(format!("{} is not in the API description", M::NAME)))?;
    let dynamic = DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())
        .map_err(|e| CliError::Input(format!("cannot describe a {}: {e}", M::NAME)))?;
    dynamic
        .serialize_with_options(
            serde_json::value::Serializer,
            &SerializeOptions::new().skip_default_fields(false),
        )
        .map_err(|e| CliError::Input(format!("cannot print a {} as JSON: {e}", M::NAME)))
}

/// Writes `value` as one line.
pub fn line(out: &mut dyn Write, value: &Value) -> Result<(), CliError> {
    writeln!(out, "{value}")?;
    Ok(())
}

/// Writes `message` as one line of JSON.
pub fn message<M: ApiMessage>(out: &mut dyn Write, message: &M) -> Result<(), CliError> {
    line(out, &to_json(message)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_print_as_proto3_json() {
        let import = pb::Import {
            id: "i-1".into(),
            state: pb::ImportState::CompletedWithErrors as i32,
            counts: Some(pb::ImportCounts {
                received: 8,
                imported: 7,
                rejected: 1,
                ..Default::default()
            }),
            last_sequence: 12,
            ..Default::default()
        };
        let json = to_json(&import).expect("json");
        assert_eq!(json["id"], "i-1");
        assert_eq!(json["state"], "IMPORT_STATE_COMPLETED_WITH_ERRORS");
        assert_eq!(json["counts"]["received"], "8");
        assert_eq!(json["lastSequence"], "12");
        assert_eq!(json["fhirServer"], "", "defaults are printed too");
        assert_eq!(json["counts"]["failed"], "0");
    }
}
