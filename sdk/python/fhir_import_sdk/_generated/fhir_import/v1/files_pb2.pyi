from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MetadataState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METADATA_STATE_UNSPECIFIED: _ClassVar[MetadataState]
    METADATA_STATE_NOT_REQUESTED: _ClassVar[MetadataState]
    METADATA_STATE_PENDING: _ClassVar[MetadataState]
    METADATA_STATE_COMPLETE: _ClassVar[MetadataState]
    METADATA_STATE_FAILED: _ClassVar[MetadataState]
    METADATA_STATE_PARTIAL: _ClassVar[MetadataState]
METADATA_STATE_UNSPECIFIED: MetadataState
METADATA_STATE_NOT_REQUESTED: MetadataState
METADATA_STATE_PENDING: MetadataState
METADATA_STATE_COMPLETE: MetadataState
METADATA_STATE_FAILED: MetadataState
METADATA_STATE_PARTIAL: MetadataState

class File(_message.Message):
    __slots__ = ("id", "project", "name", "url", "size", "content_type", "hashes", "document_reference_id", "fhir_server", "metadata", "metadata_state", "tags", "import_id", "document_reference_json", "metadata_error", "create_time", "update_time", "metadata_schema", "metadata_sources")
    class HashesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetadataSourcesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    HASHES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    FHIR_SERVER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_STATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_REFERENCE_JSON_FIELD_NUMBER: _ClassVar[int]
    METADATA_ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    METADATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    id: str
    project: str
    name: str
    url: str
    size: int
    content_type: str
    hashes: _containers.ScalarMap[str, str]
    document_reference_id: str
    fhir_server: str
    metadata: _containers.ScalarMap[str, str]
    metadata_state: MetadataState
    tags: _containers.RepeatedScalarFieldContainer[str]
    import_id: str
    document_reference_json: str
    metadata_error: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    metadata_schema: str
    metadata_sources: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., project: _Optional[str] = ..., name: _Optional[str] = ..., url: _Optional[str] = ..., size: _Optional[int] = ..., content_type: _Optional[str] = ..., hashes: _Optional[_Mapping[str, str]] = ..., document_reference_id: _Optional[str] = ..., fhir_server: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., metadata_state: _Optional[_Union[MetadataState, str]] = ..., tags: _Optional[_Iterable[str]] = ..., import_id: _Optional[str] = ..., document_reference_json: _Optional[str] = ..., metadata_error: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., metadata_schema: _Optional[str] = ..., metadata_sources: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetFileRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class MetadataFilter(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("project", "filters", "page_size", "page_token", "import_id")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    project: str
    filters: _containers.RepeatedCompositeFieldContainer[MetadataFilter]
    page_size: int
    page_token: str
    import_id: str
    def __init__(self, project: _Optional[str] = ..., filters: _Optional[_Iterable[_Union[MetadataFilter, _Mapping]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., import_id: _Optional[str] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("files", "next_page_token")
    FILES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[File]
    next_page_token: str
    def __init__(self, files: _Optional[_Iterable[_Union[File, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
