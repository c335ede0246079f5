"""Python SDK for fhir-import: bulk import of FHIR R4 DocumentReferences into
projects, over gRPC.

``Client`` holds the helpers; every failed call raises a ``FhirImportError``,
as the subclass of its status (``NotFoundError``, ``UnauthenticatedError``,
…). Its token is a string or a token source (``client_credentials``,
``refresh_token_source``, after ``authorization_request`` and
``exchange_code``), asked on every call; a refused token request is a
``TokenRequestError``. Imports return an ``ImportResult``, whose
``Rejection``s print their code by name (a ``RejectionCodeName``);
``bundle_documents`` feeds a FHIR Bundle's DocumentReferences to them.
The message and enum types are re-exported here (``Import``, ``ImportState``
…); the generated modules are ``fhir_servers_pb2``, ``files_pb2``,
``import_pb2``, ``projects_pb2`` and ``schemas_pb2`` (and their ``*_pb2_grpc`` stubs), made from
``proto/fhir_import/v1/`` by ``scripts/sdk-python.sh``.
"""

from ._channel import RetryPolicy
from ._documents import bundle_documents, by_reference
from ._generated.fhir_import.v1 import (
    fhir_servers_pb2,
    fhir_servers_pb2_grpc,
    files_pb2,
    files_pb2_grpc,
    import_pb2,
    import_pb2_grpc,
    projects_pb2,
    projects_pb2_grpc,
    schemas_pb2,
    schemas_pb2_grpc,
)
from ._generated.fhir_import.v1.files_pb2 import File, MetadataFilter, MetadataState
from ._generated.fhir_import.v1.import_pb2 import (
    ConflictPolicy,
    DocumentInput,
    Import,
    ImportCounts,
    ImportDocumentsResponse,
    ImportEvent,
    ImportItem,
    ImportStall,
    ImportState,
    ItemFailure,
    ItemRejection,
    ItemStage,
    ItemState,
    RejectionCode,
    RescrapeFilesResponse,
)
from ._generated.fhir_import.v1.projects_pb2 import Project
from ._generated.fhir_import.v1.schemas_pb2 import SchemaInfo, SchemaMatchRules
from .client import DEFAULT_TARGET, TERMINAL_STATES, Client
from .credentials import (
    AuthorizationRequest,
    Portal,
    RenewingToken,
    Tokens,
    TokenSource,
    authorization_request,
    client_credentials,
    exchange_code,
    refresh_token_source,
    refresh_tokens,
    request_tokens,
)
from .errors import (
    AlreadyExistsError,
    CancelledError,
    DeadlineExceededError,
    FailedPreconditionError,
    FhirImportError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    ResourceExhaustedError,
    TokenRequestError,
    UnauthenticatedError,
    UnavailableError,
    WaitTimeout,
    typed_errors,
)
from .results import ImportResult, Rejection, RejectionCodeName

__version__ = "0.1.0"

__all__ = [
    "Client",
    "RetryPolicy",
    "by_reference",
    "bundle_documents",
    "DEFAULT_TARGET",
    "TERMINAL_STATES",
    "FhirImportError",
    "UnauthenticatedError",
    "PermissionDeniedError",
    "NotFoundError",
    "FailedPreconditionError",
    "InvalidArgumentError",
    "AlreadyExistsError",
    "ResourceExhaustedError",
    "UnavailableError",
    "DeadlineExceededError",
    "CancelledError",
    "OutOfRangeError",
    "WaitTimeout",
    "typed_errors",
    "TokenRequestError",
    "TokenSource",
    "Tokens",
    "Portal",
    "RenewingToken",
    "AuthorizationRequest",
    "client_credentials",
    "refresh_token_source",
    "refresh_tokens",
    "authorization_request",
    "exchange_code",
    "request_tokens",
    "ImportResult",
    "Rejection",
    "RejectionCodeName",
    "ConflictPolicy",
    "DocumentInput",
    "File",
    "Import",
    "ImportCounts",
    "ImportDocumentsResponse",
    "ImportEvent",
    "ImportItem",
    "ImportStall",
    "ImportState",
    "ItemFailure",
    "ItemRejection",
    "ItemStage",
    "ItemState",
    "MetadataFilter",
    "MetadataState",
    "Project",
    "RejectionCode",
    "RescrapeFilesResponse",
    "SchemaInfo",
    "SchemaMatchRules",
    "fhir_servers_pb2",
    "fhir_servers_pb2_grpc",
    "files_pb2",
    "files_pb2_grpc",
    "import_pb2",
    "import_pb2_grpc",
    "projects_pb2",
    "projects_pb2_grpc",
    "schemas_pb2",
    "schemas_pb2_grpc",
]
