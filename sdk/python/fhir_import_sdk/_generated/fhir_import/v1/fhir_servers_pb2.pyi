from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FhirServer(_message.Message):
    __slots__ = ("id", "base_url", "auth_kind", "limits", "pinned_schema", "schema", "schema_reason", "fhir_version", "software_name", "capability_time", "capability_error", "create_time", "update_time", "allowed_projects", "allow_private_addresses", "breaker_open_until", "breaker_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    AUTH_KIND_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    PINNED_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_REASON_FIELD_NUMBER: _ClassVar[int]
    FHIR_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOFTWARE_NAME_FIELD_NUMBER: _ClassVar[int]
    CAPABILITY_TIME_FIELD_NUMBER: _ClassVar[int]
    CAPABILITY_ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_PRIVATE_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    BREAKER_OPEN_UNTIL_FIELD_NUMBER: _ClassVar[int]
    BREAKER_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    base_url: str
    auth_kind: str
    limits: FhirServerLimits
    pinned_schema: str
    schema: str
    schema_reason: str
    fhir_version: str
    software_name: str
    capability_time: _timestamp_pb2.Timestamp
    capability_error: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    allowed_projects: _containers.RepeatedScalarFieldContainer[str]
    allow_private_addresses: bool
    breaker_open_until: _timestamp_pb2.Timestamp
    breaker_reason: str
    def __init__(self, id: _Optional[str] = ..., base_url: _Optional[str] = ..., auth_kind: _Optional[str] = ..., limits: _Optional[_Union[FhirServerLimits, _Mapping]] = ..., pinned_schema: _Optional[str] = ..., schema: _Optional[str] = ..., schema_reason: _Optional[str] = ..., fhir_version: _Optional[str] = ..., software_name: _Optional[str] = ..., capability_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., capability_error: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., allowed_projects: _Optional[_Iterable[str]] = ..., allow_private_addresses: bool = ..., breaker_open_until: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., breaker_reason: _Optional[str] = ...) -> None: ...

class FhirServerLimits(_message.Message):
    __slots__ = ("max_concurrency", "requests_per_second", "timeout_ms", "max_response_bytes", "max_retries", "cooldown_ms")
    MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_RESPONSE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_MS_FIELD_NUMBER: _ClassVar[int]
    max_concurrency: int
    requests_per_second: float
    timeout_ms: int
    max_response_bytes: int
    max_retries: int
    cooldown_ms: int
    def __init__(self, max_concurrency: _Optional[int] = ..., requests_per_second: _Optional[float] = ..., timeout_ms: _Optional[int] = ..., max_response_bytes: _Optional[int] = ..., max_retries: _Optional[int] = ..., cooldown_ms: _Optional[int] = ...) -> None: ...

class FhirServerAuth(_message.Message):
    __slots__ = ("bearer", "client_credentials", "smart_backend")
    BEARER_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    SMART_BACKEND_FIELD_NUMBER: _ClassVar[int]
    bearer: BearerTokenAuth
    client_credentials: ClientCredentialsAuth
    smart_backend: SmartBackendAuth
    def __init__(self, bearer: _Optional[_Union[BearerTokenAuth, _Mapping]] = ..., client_credentials: _Optional[_Union[ClientCredentialsAuth, _Mapping]] = ..., smart_backend: _Optional[_Union[SmartBackendAuth, _Mapping]] = ...) -> None: ...

class BearerTokenAuth(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class ClientCredentialsAuth(_message.Message):
    __slots__ = ("token_url", "client_id", "client_secret", "scopes")
    TOKEN_URL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    SCOPES_FIELD_NUMBER: _ClassVar[int]
    token_url: str
    client_id: str
    client_secret: str
    scopes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token_url: _Optional[str] = ..., client_id: _Optional[str] = ..., client_secret: _Optional[str] = ..., scopes: _Optional[_Iterable[str]] = ...) -> None: ...

class SmartBackendAuth(_message.Message):
    __slots__ = ("token_url", "client_id", "private_key_pem", "algorithm", "key_id", "scopes")
    TOKEN_URL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPES_FIELD_NUMBER: _ClassVar[int]
    token_url: str
    client_id: str
    private_key_pem: str
    algorithm: str
    key_id: str
    scopes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token_url: _Optional[str] = ..., client_id: _Optional[str] = ..., private_key_pem: _Optional[str] = ..., algorithm: _Optional[str] = ..., key_id: _Optional[str] = ..., scopes: _Optional[_Iterable[str]] = ...) -> None: ...

class RegisterFhirServerRequest(_message.Message):
    __slots__ = ("id", "base_url", "schema", "auth", "limits", "allowed_projects", "allow_private_addresses")
    ID_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_PRIVATE_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    id: str
    base_url: str
    schema: str
    auth: FhirServerAuth
    limits: FhirServerLimits
    allowed_projects: _containers.RepeatedScalarFieldContainer[str]
    allow_private_addresses: bool
    def __init__(self, id: _Optional[str] = ..., base_url: _Optional[str] = ..., schema: _Optional[str] = ..., auth: _Optional[_Union[FhirServerAuth, _Mapping]] = ..., limits: _Optional[_Union[FhirServerLimits, _Mapping]] = ..., allowed_projects: _Optional[_Iterable[str]] = ..., allow_private_addresses: bool = ...) -> None: ...

class GetFhirServerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListFhirServersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFhirServersResponse(_message.Message):
    __slots__ = ("fhir_servers",)
    FHIR_SERVERS_FIELD_NUMBER: _ClassVar[int]
    fhir_servers: _containers.RepeatedCompositeFieldContainer[FhirServer]
    def __init__(self, fhir_servers: _Optional[_Iterable[_Union[FhirServer, _Mapping]]] = ...) -> None: ...

class UpdateFhirServerRequest(_message.Message):
    __slots__ = ("id", "base_url", "schema", "unpin_schema", "auth", "limits", "add_allowed_projects", "remove_allowed_projects", "allow_private_addresses")
    ID_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    UNPIN_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    ADD_ALLOWED_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    REMOVE_ALLOWED_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_PRIVATE_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    id: str
    base_url: str
    schema: str
    unpin_schema: bool
    auth: FhirServerAuth
    limits: FhirServerLimits
    add_allowed_projects: _containers.RepeatedScalarFieldContainer[str]
    remove_allowed_projects: _containers.RepeatedScalarFieldContainer[str]
    allow_private_addresses: bool
    def __init__(self, id: _Optional[str] = ..., base_url: _Optional[str] = ..., schema: _Optional[str] = ..., unpin_schema: bool = ..., auth: _Optional[_Union[FhirServerAuth, _Mapping]] = ..., limits: _Optional[_Union[FhirServerLimits, _Mapping]] = ..., add_allowed_projects: _Optional[_Iterable[str]] = ..., remove_allowed_projects: _Optional[_Iterable[str]] = ..., allow_private_addresses: bool = ...) -> None: ...

class RemoveFhirServerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class RemoveFhirServerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PreviewScrapeRequest(_message.Message):
    __slots__ = ("fhir_server", "document_reference_id", "resource_json", "schema")
    FHIR_SERVER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_JSON_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    fhir_server: str
    document_reference_id: str
    resource_json: str
    schema: str
    def __init__(self, fhir_server: _Optional[str] = ..., document_reference_id: _Optional[str] = ..., resource_json: _Optional[str] = ..., schema: _Optional[str] = ...) -> None: ...

class PreviewScrapeResponse(_message.Message):
    __slots__ = ("schema", "metadata", "problems", "fetched", "source_versions")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class SourceVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    FETCHED_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    schema: str
    metadata: _containers.ScalarMap[str, str]
    problems: _containers.RepeatedCompositeFieldContainer[ScrapeProblem]
    fetched: _containers.RepeatedScalarFieldContainer[str]
    source_versions: _containers.ScalarMap[str, str]
    def __init__(self, schema: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., problems: _Optional[_Iterable[_Union[ScrapeProblem, _Mapping]]] = ..., fetched: _Optional[_Iterable[str]] = ..., source_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ScrapeProblem(_message.Message):
    __slots__ = ("key", "problem")
    KEY_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    key: str
    problem: str
    def __init__(self, key: _Optional[str] = ..., problem: _Optional[str] = ...) -> None: ...
