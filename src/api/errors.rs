//! Each area's error mapped once to a gRPC status. Internal detail is
//! logged here and never sent.

use tonic::Status;
use tracing::error;

use crate::import::ImportError;
use crate::services::fhir_servers::FhirServerError;
use crate::services::files::FileError;
use crate::services::projects::ProjectError;
use crate::services::schemas::SchemaCatalogError;
use crate::store::StoreError;

impl From<StoreError> for Status {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => Status::not_found(format!("{what} not found")),
            StoreError::Conflict(_) => {
                Status::aborted("a concurrent change conflicted with this call; retry it")
            }
            StoreError::Unavailable(detail) => {
                error!(%detail, "store unavailable");
                Status::unavailable("storage is unavailable right now; retry later")
            }
            StoreError::Refused(detail) => {
                error!(%detail, "store refused a change");
                Status::internal("internal error")
            }
            StoreError::Corrupt(detail) => {
                error!(%detail, "stored data unreadable");
                Status::internal("internal error")
            }
            StoreError::Schema(detail) => {
                error!(%detail, "the store's schema does not fit this release");
                Status::internal("internal error")
            }
        }
    }
}

impl From<FhirServerError> for Status {
    fn from(err: FhirServerError) -> Self {
        match err {
            FhirServerError::InvalidArgument(msg) => Status::invalid_argument(msg),
            FhirServerError::NotFound(_) => Status::not_found(err.to_string()),
            FhirServerError::AlreadyExists(msg) => Status::already_exists(msg),
            FhirServerError::PermissionDenied(msg) => Status::permission_denied(msg),
            FhirServerError::NotAllowed { .. } => Status::permission_denied(err.to_string()),
            FhirServerError::FailedPrecondition(msg) => Status::failed_precondition(msg),
            FhirServerError::Store(err) => err.into(),
        }
    }
}

impl From<ProjectError> for Status {
    fn from(err: ProjectError) -> Self {
        match err {
            ProjectError::InvalidArgument(msg) => Status::invalid_argument(msg),
            ProjectError::NotFound(_) | ProjectError::NotFoundOwn { .. } => {
                Status::not_found(err.to_string())
            }
            ProjectError::AlreadyExists(msg) => Status::already_exists(msg),
            ProjectError::PermissionDenied(msg) => Status::permission_denied(msg),
            ProjectError::Store(err) => err.into(),
        }
    }
}

impl From<ImportError> for Status {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::InvalidArgument(msg) => Status::invalid_argument(msg),
            ImportError::NotFound(_) | ImportError::FileNotFound(_) => {
                Status::not_found(err.to_string())
            }
            ImportError::AlreadyExists(msg) => Status::already_exists(msg),
            ImportError::FailedPrecondition(msg) => Status::failed_precondition(msg),
            ImportError::PermissionDenied(msg) => Status::permission_denied(msg),
            ImportError::OutOfRange(msg) => Status::out_of_range(msg),
            ImportError::StreamBroken(_) => Status::cancelled(err.to_string()),
            ImportError::ShuttingDown(msg) | ImportError::TakenOver(msg) => {
                Status::unavailable(msg)
            }
            ImportError::MessageTooLarge(msg) => Status::resource_exhausted(msg),
            ImportError::Busy(busy) => {
                use tonic_types::{ErrorDetails, StatusExt as _};
                Status::with_error_details(
                    tonic::Code::ResourceExhausted,
                    busy.message,
                    ErrorDetails::with_retry_info(Some(busy.retry_after)),
                )
            }
            ImportError::Project(err) => err.into(),
            ImportError::Store(err) => err.into(),
        }
    }
}

impl From<FileError> for Status {
    fn from(err: FileError) -> Self {
        match err {
            FileError::InvalidArgument(msg) => Status::invalid_argument(msg),
            FileError::NotFound(_) => Status::not_found(err.to_string()),
            FileError::Project(err) => err.into(),
            FileError::Store(err) => err.into(),
        }
    }
}

impl From<SchemaCatalogError> for Status {
    fn from(err: SchemaCatalogError) -> Self {
        match err {
            SchemaCatalogError::InvalidArgument(msg) => Status::invalid_argument(msg),
            SchemaCatalogError::NotFound(_) => Status::not_found(err.to_string()),
            SchemaCatalogError::AlreadyExists(msg) => Status::already_exists(msg),
            SchemaCatalogError::FailedPrecondition(msg) => Status::failed_precondition(msg),
            SchemaCatalogError::Unloadable { .. } => {
                error!(detail = %err, "stored schema unreadable");
                Status::internal("internal error")
            }
            SchemaCatalogError::Store(err) => err.into(),
        }
    }
}
