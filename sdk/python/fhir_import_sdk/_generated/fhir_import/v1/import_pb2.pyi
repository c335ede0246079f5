from . import files_pb2 as _files_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_KIND_UNSPECIFIED: _ClassVar[ImportKind]
    IMPORT_KIND_DOCUMENTS: _ClassVar[ImportKind]
    IMPORT_KIND_RESCRAPE: _ClassVar[ImportKind]

class ConflictPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFLICT_POLICY_UNSPECIFIED: _ClassVar[ConflictPolicy]
    CONFLICT_POLICY_SKIP: _ClassVar[ConflictPolicy]
    CONFLICT_POLICY_OVERWRITE: _ClassVar[ConflictPolicy]
    CONFLICT_POLICY_RENAME: _ClassVar[ConflictPolicy]

class RejectionCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REJECTION_CODE_UNSPECIFIED: _ClassVar[RejectionCode]
    REJECTION_CODE_EMPTY_DOCUMENT: _ClassVar[RejectionCode]
    REJECTION_CODE_INVALID_JSON: _ClassVar[RejectionCode]
    REJECTION_CODE_WRONG_RESOURCE_TYPE: _ClassVar[RejectionCode]
    REJECTION_CODE_INVALID_RESOURCE: _ClassVar[RejectionCode]
    REJECTION_CODE_TOO_LARGE: _ClassVar[RejectionCode]
    REJECTION_CODE_INVALID_METADATA: _ClassVar[RejectionCode]
    REJECTION_CODE_INVALID_REFERENCE: _ClassVar[RejectionCode]
    REJECTION_CODE_REFERENCE_NOT_RESOLVABLE: _ClassVar[RejectionCode]

class ImportState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_STATE_UNSPECIFIED: _ClassVar[ImportState]
    IMPORT_STATE_RECEIVING: _ClassVar[ImportState]
    IMPORT_STATE_PROCESSING: _ClassVar[ImportState]
    IMPORT_STATE_COMPLETED: _ClassVar[ImportState]
    IMPORT_STATE_COMPLETED_WITH_ERRORS: _ClassVar[ImportState]
    IMPORT_STATE_FAILED: _ClassVar[ImportState]
    IMPORT_STATE_CANCELLED: _ClassVar[ImportState]

class ItemState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_STATE_UNSPECIFIED: _ClassVar[ItemState]
    ITEM_STATE_PENDING: _ClassVar[ItemState]
    ITEM_STATE_PROCESSING: _ClassVar[ItemState]
    ITEM_STATE_IMPORTED: _ClassVar[ItemState]
    ITEM_STATE_SKIPPED: _ClassVar[ItemState]
    ITEM_STATE_REJECTED: _ClassVar[ItemState]
    ITEM_STATE_FAILED: _ClassVar[ItemState]
    ITEM_STATE_CANCELLED: _ClassVar[ItemState]
    ITEM_STATE_SCRAPED: _ClassVar[ItemState]
    ITEM_STATE_SCRAPE_FAILED: _ClassVar[ItemState]

class ItemStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_STAGE_UNSPECIFIED: _ClassVar[ItemStage]
    ITEM_STAGE_INTAKE: _ClassVar[ItemStage]
    ITEM_STAGE_RECORD_FILE: _ClassVar[ItemStage]
    ITEM_STAGE_FETCH_METADATA: _ClassVar[ItemStage]

class ItemFailure(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_FAILURE_UNSPECIFIED: _ClassVar[ItemFailure]
    ITEM_FAILURE_STORE_REFUSED: _ClassVar[ItemFailure]
    ITEM_FAILURE_INVALID_STORED_DOCUMENT: _ClassVar[ItemFailure]
    ITEM_FAILURE_FHIR_SERVER_UNAVAILABLE: _ClassVar[ItemFailure]
    ITEM_FAILURE_FHIR_SERVER_NOT_REGISTERED: _ClassVar[ItemFailure]
    ITEM_FAILURE_NO_SCHEMA: _ClassVar[ItemFailure]
    ITEM_FAILURE_FHIR_SERVER_NOT_ALLOWED: _ClassVar[ItemFailure]
IMPORT_KIND_UNSPECIFIED: ImportKind
IMPORT_KIND_DOCUMENTS: ImportKind
IMPORT_KIND_RESCRAPE: ImportKind
CONFLICT_POLICY_UNSPECIFIED: ConflictPolicy
CONFLICT_POLICY_SKIP: ConflictPolicy
CONFLICT_POLICY_OVERWRITE: ConflictPolicy
CONFLICT_POLICY_RENAME: ConflictPolicy
REJECTION_CODE_UNSPECIFIED: RejectionCode
REJECTION_CODE_EMPTY_DOCUMENT: RejectionCode
REJECTION_CODE_INVALID_JSON: RejectionCode
REJECTION_CODE_WRONG_RESOURCE_TYPE: RejectionCode
REJECTION_CODE_INVALID_RESOURCE: RejectionCode
REJECTION_CODE_TOO_LARGE: RejectionCode
REJECTION_CODE_INVALID_METADATA: RejectionCode
REJECTION_CODE_INVALID_REFERENCE: RejectionCode
REJECTION_CODE_REFERENCE_NOT_RESOLVABLE: RejectionCode
IMPORT_STATE_UNSPECIFIED: ImportState
IMPORT_STATE_RECEIVING: ImportState
IMPORT_STATE_PROCESSING: ImportState
IMPORT_STATE_COMPLETED: ImportState
IMPORT_STATE_COMPLETED_WITH_ERRORS: ImportState
IMPORT_STATE_FAILED: ImportState
IMPORT_STATE_CANCELLED: ImportState
ITEM_STATE_UNSPECIFIED: ItemState
ITEM_STATE_PENDING: ItemState
ITEM_STATE_PROCESSING: ItemState
ITEM_STATE_IMPORTED: ItemState
ITEM_STATE_SKIPPED: ItemState
ITEM_STATE_REJECTED: ItemState
ITEM_STATE_FAILED: ItemState
ITEM_STATE_CANCELLED: ItemState
ITEM_STATE_SCRAPED: ItemState
ITEM_STATE_SCRAPE_FAILED: ItemState
ITEM_STAGE_UNSPECIFIED: ItemStage
ITEM_STAGE_INTAKE: ItemStage
ITEM_STAGE_RECORD_FILE: ItemStage
ITEM_STAGE_FETCH_METADATA: ItemStage
ITEM_FAILURE_UNSPECIFIED: ItemFailure
ITEM_FAILURE_STORE_REFUSED: ItemFailure
ITEM_FAILURE_INVALID_STORED_DOCUMENT: ItemFailure
ITEM_FAILURE_FHIR_SERVER_UNAVAILABLE: ItemFailure
ITEM_FAILURE_FHIR_SERVER_NOT_REGISTERED: ItemFailure
ITEM_FAILURE_NO_SCHEMA: ItemFailure
ITEM_FAILURE_FHIR_SERVER_NOT_ALLOWED: ItemFailure

class ImportDocumentsRequest(_message.Message):
    __slots__ = ("header", "document")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    header: ImportHeader
    document: DocumentInput
    def __init__(self, header: _Optional[_Union[ImportHeader, _Mapping]] = ..., document: _Optional[_Union[DocumentInput, _Mapping]] = ...) -> None: ...

class ImportHeader(_message.Message):
    __slots__ = ("project", "fhir_server", "on_conflict", "idempotency_key", "validate_only", "tags")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FHIR_SERVER_FIELD_NUMBER: _ClassVar[int]
    ON_CONFLICT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    project: str
    fhir_server: str
    on_conflict: ConflictPolicy
    idempotency_key: str
    validate_only: bool
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project: _Optional[str] = ..., fhir_server: _Optional[str] = ..., on_conflict: _Optional[_Union[ConflictPolicy, str]] = ..., idempotency_key: _Optional[str] = ..., validate_only: bool = ..., tags: _Optional[_Iterable[str]] = ...) -> None: ...

class DocumentInput(_message.Message):
    __slots__ = ("resource_json", "reference", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESOURCE_JSON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    resource_json: str
    reference: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, resource_json: _Optional[str] = ..., reference: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ItemRejection(_message.Message):
    __slots__ = ("index", "document_id", "code", "message")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    index: int
    document_id: str
    code: RejectionCode
    message: str
    def __init__(self, index: _Optional[int] = ..., document_id: _Optional[str] = ..., code: _Optional[_Union[RejectionCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class ImportDocumentsResponse(_message.Message):
    __slots__ = ("import_id", "received", "accepted", "rejected", "rejections", "rejections_truncated", "replayed")
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    IMPORT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    import_id: str
    received: int
    accepted: int
    rejected: int
    rejections: _containers.RepeatedCompositeFieldContainer[ItemRejection]
    rejections_truncated: bool
    replayed: bool
    def __init__(self, import_id: _Optional[str] = ..., received: _Optional[int] = ..., accepted: _Optional[int] = ..., rejected: _Optional[int] = ..., rejections: _Optional[_Iterable[_Union[ItemRejection, _Mapping]]] = ..., rejections_truncated: bool = ..., replayed: bool = ..., **kwargs) -> None: ...

class ImportCounts(_message.Message):
    __slots__ = ("received", "pending", "processing", "imported", "skipped", "rejected", "failed", "cancelled", "scraped", "scrape_failed")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    SCRAPED_FIELD_NUMBER: _ClassVar[int]
    SCRAPE_FAILED_FIELD_NUMBER: _ClassVar[int]
    received: int
    pending: int
    processing: int
    imported: int
    skipped: int
    rejected: int
    failed: int
    cancelled: int
    scraped: int
    scrape_failed: int
    def __init__(self, received: _Optional[int] = ..., pending: _Optional[int] = ..., processing: _Optional[int] = ..., imported: _Optional[int] = ..., skipped: _Optional[int] = ..., rejected: _Optional[int] = ..., failed: _Optional[int] = ..., cancelled: _Optional[int] = ..., scraped: _Optional[int] = ..., scrape_failed: _Optional[int] = ...) -> None: ...

class Import(_message.Message):
    __slots__ = ("id", "project", "state", "counts", "fhir_server", "on_conflict", "idempotency_key", "tags", "error", "last_sequence", "created_by", "create_time", "update_time", "finish_time", "kind")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    FHIR_SERVER_FIELD_NUMBER: _ClassVar[int]
    ON_CONFLICT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    id: str
    project: str
    state: ImportState
    counts: ImportCounts
    fhir_server: str
    on_conflict: ConflictPolicy
    idempotency_key: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    error: str
    last_sequence: int
    created_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    kind: ImportKind
    def __init__(self, id: _Optional[str] = ..., project: _Optional[str] = ..., state: _Optional[_Union[ImportState, str]] = ..., counts: _Optional[_Union[ImportCounts, _Mapping]] = ..., fhir_server: _Optional[str] = ..., on_conflict: _Optional[_Union[ConflictPolicy, str]] = ..., idempotency_key: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., error: _Optional[str] = ..., last_sequence: _Optional[int] = ..., created_by: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[ImportKind, str]] = ...) -> None: ...

class ImportItem(_message.Message):
    __slots__ = ("index", "document_id", "state", "stage", "rejection", "error", "file_id", "sequence", "update_time", "repeat_of", "failure")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REJECTION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REPEAT_OF_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    index: int
    document_id: str
    state: ItemState
    stage: ItemStage
    rejection: ItemRejection
    error: str
    file_id: str
    sequence: int
    update_time: _timestamp_pb2.Timestamp
    repeat_of: int
    failure: ItemFailure
    def __init__(self, index: _Optional[int] = ..., document_id: _Optional[str] = ..., state: _Optional[_Union[ItemState, str]] = ..., stage: _Optional[_Union[ItemStage, str]] = ..., rejection: _Optional[_Union[ItemRejection, _Mapping]] = ..., error: _Optional[str] = ..., file_id: _Optional[str] = ..., sequence: _Optional[int] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., repeat_of: _Optional[int] = ..., failure: _Optional[_Union[ItemFailure, str]] = ...) -> None: ...

class WatchImportRequest(_message.Message):
    __slots__ = ("import_id", "after_sequence")
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    import_id: str
    after_sequence: int
    def __init__(self, import_id: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class ImportEvent(_message.Message):
    __slots__ = ("sequence", "counts", "time", "snapshot", "item", "state_change", "stall", "progress")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    STALL_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    counts: ImportCounts
    time: _timestamp_pb2.Timestamp
    snapshot: Import
    item: ImportItem
    state_change: ImportStateChange
    stall: ImportStall
    progress: ImportProgress
    def __init__(self, sequence: _Optional[int] = ..., counts: _Optional[_Union[ImportCounts, _Mapping]] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., snapshot: _Optional[_Union[Import, _Mapping]] = ..., item: _Optional[_Union[ImportItem, _Mapping]] = ..., state_change: _Optional[_Union[ImportStateChange, _Mapping]] = ..., stall: _Optional[_Union[ImportStall, _Mapping]] = ..., progress: _Optional[_Union[ImportProgress, _Mapping]] = ...) -> None: ...

class ImportProgress(_message.Message):
    __slots__ = ("stage", "first_index", "last_index", "items")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    FIRST_INDEX_FIELD_NUMBER: _ClassVar[int]
    LAST_INDEX_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    stage: ItemStage
    first_index: int
    last_index: int
    items: int
    def __init__(self, stage: _Optional[_Union[ItemStage, str]] = ..., first_index: _Optional[int] = ..., last_index: _Optional[int] = ..., items: _Optional[int] = ...) -> None: ...

class ImportStall(_message.Message):
    __slots__ = ("reason", "idle_seconds")
    REASON_FIELD_NUMBER: _ClassVar[int]
    IDLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    idle_seconds: int
    def __init__(self, reason: _Optional[str] = ..., idle_seconds: _Optional[int] = ...) -> None: ...

class ImportStateChange(_message.Message):
    __slots__ = ("state", "error")
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    state: ImportState
    error: str
    def __init__(self, state: _Optional[_Union[ImportState, str]] = ..., error: _Optional[str] = ...) -> None: ...

class GetImportRequest(_message.Message):
    __slots__ = ("import_id",)
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    import_id: str
    def __init__(self, import_id: _Optional[str] = ...) -> None: ...

class ListImportsRequest(_message.Message):
    __slots__ = ("project", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImportsResponse(_message.Message):
    __slots__ = ("imports", "next_page_token")
    IMPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    imports: _containers.RepeatedCompositeFieldContainer[Import]
    next_page_token: str
    def __init__(self, imports: _Optional[_Iterable[_Union[Import, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListImportItemsRequest(_message.Message):
    __slots__ = ("import_id", "states", "page_size", "page_token")
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    import_id: str
    states: _containers.RepeatedScalarFieldContainer[ItemState]
    page_size: int
    page_token: str
    def __init__(self, import_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[ItemState, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImportItemsResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ImportItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[ImportItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelImportRequest(_message.Message):
    __slots__ = ("import_id",)
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    import_id: str
    def __init__(self, import_id: _Optional[str] = ...) -> None: ...

class RescrapeFilesRequest(_message.Message):
    __slots__ = ("project", "file_ids", "import_id", "all_files", "metadata_states")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FILE_IDS_FIELD_NUMBER: _ClassVar[int]
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    ALL_FILES_FIELD_NUMBER: _ClassVar[int]
    METADATA_STATES_FIELD_NUMBER: _ClassVar[int]
    project: str
    file_ids: FileIds
    import_id: str
    all_files: bool
    metadata_states: _containers.RepeatedScalarFieldContainer[_files_pb2.MetadataState]
    def __init__(self, project: _Optional[str] = ..., file_ids: _Optional[_Union[FileIds, _Mapping]] = ..., import_id: _Optional[str] = ..., all_files: bool = ..., metadata_states: _Optional[_Iterable[_Union[_files_pb2.MetadataState, str]]] = ...) -> None: ...

class FileIds(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RescrapeFilesResponse(_message.Message):
    __slots__ = ("imports", "files", "already_pending")
    IMPORTS_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    ALREADY_PENDING_FIELD_NUMBER: _ClassVar[int]
    imports: _containers.RepeatedCompositeFieldContainer[Import]
    files: int
    already_pending: int
    def __init__(self, imports: _Optional[_Iterable[_Union[Import, _Mapping]]] = ..., files: _Optional[int] = ..., already_pending: _Optional[int] = ...) -> None: ...
