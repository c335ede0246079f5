"""Python SDK for fhir-import: bulk import of FHIR R4 DocumentReferences into
projects, over gRPC.

``Client`` holds the helpers; every failed call raises ``FhirImportError``.
Imports return an ``ImportResult``, whose ``Rejection``s print their code by
name (a ``RejectionCodeName``).
The message and enum types are re-exported here (``Import``, ``ImportState``
…); the generated modules are ``fhir_servers_pb2``, ``files_pb2``,
``import_pb2``, ``projects_pb2`` and ``schemas_pb2`` (and their ``*_pb2_grpc`` stubs), made from
``proto/fhir_import/v1/`` by ``scripts/sdk-python.sh``.
"""

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
from ._documents import by_reference
from .client import DEFAULT_TARGET, TERMINAL_STATES, Client
from .errors import FhirImportError, WaitTimeout
from .results import ImportResult, Rejection, RejectionCodeName

__version__ = "0.1.0"

__all__ = [
    "Client",
    "by_reference",
    "DEFAULT_TARGET",
    "TERMINAL_STATES",
    "FhirImportError",
    "WaitTimeout",
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
