"""Each status the API documents reaches the caller as its own error class,
from unary calls and from streams alike, still a FhirImportError with the
server's message and the grpc error it came from."""

from __future__ import annotations

from typing import Type

import grpc
import pytest
from test_client import WAIT_SECONDS, document

from fhir_import_sdk import (
    AlreadyExistsError,
    CancelledError,
    Client,
    DeadlineExceededError,
    FailedPreconditionError,
    FhirImportError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    Portal,
    Project,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    WaitTimeout,
    client_credentials,
    schemas_pb2,
    typed_errors,
)

UNKNOWN_IMPORT = "01890000-0000-7000-8000-000000000000"


def check(error: FhirImportError, cls: Type[FhirImportError], code: grpc.StatusCode) -> None:
    """``error`` is exactly what a portal would catch: the class, its code,
    the server's message, the grpc error as its cause."""
    assert type(error) is cls, f"{error!r} is not a {cls.__name__}"
    assert isinstance(error, FhirImportError)
    assert error.code == code
    assert error.details, "the server's message is kept"
    assert str(error) == f"{code.name}: {error.details}"
    assert isinstance(error.rpc_error, grpc.RpcError)
    assert error.__cause__ is error.rpc_error


def test_a_token_the_server_never_issued_is_unauthenticated(server: str) -> None:
    with Client(server, token="not-a-token") as client:
        with pytest.raises(UnauthenticatedError) as error:
            list(client.list_projects())
    check(error.value, UnauthenticatedError, grpc.StatusCode.UNAUTHENTICATED)
    # The server refused the token; the client's token source did not fail.
    assert error.value.token_error is None


def test_the_portals_own_token_listing_projects_is_permission_denied(
    server: str, portal: Portal
) -> None:
    token = client_credentials(portal.server, portal.client_id, portal.client_secret or "")
    with Client(server, token=token) as client:
        with pytest.raises(PermissionDeniedError) as error:
            list(client.list_projects())
    check(error.value, PermissionDeniedError, grpc.StatusCode.PERMISSION_DENIED)


def test_an_unknown_project_or_import_is_not_found_from_unary_calls_and_streams(
    client: Client,
) -> None:
    with pytest.raises(NotFoundError) as unary:
        client.get_project("sdk/no-such-project")
    check(unary.value, NotFoundError, grpc.StatusCode.NOT_FOUND)
    assert "no-such-project" in unary.value.details

    with pytest.raises(NotFoundError) as get:
        client.get_import(UNKNOWN_IMPORT)
    check(get.value, NotFoundError, grpc.StatusCode.NOT_FOUND)

    # A stream of responses: the error comes while iterating.
    events = client.watch(UNKNOWN_IMPORT)
    with pytest.raises(NotFoundError) as watched:
        for _ in events:
            pytest.fail("no event for an unknown import")
    check(watched.value, NotFoundError, grpc.StatusCode.NOT_FOUND)

    # A stream of requests.
    with pytest.raises(NotFoundError) as imported:
        client.import_documents("sdk/no-such-project", [document(1)])
    check(imported.value, NotFoundError, grpc.StatusCode.NOT_FOUND)

    with pytest.raises(NotFoundError):
        client.wait(UNKNOWN_IMPORT, timeout=WAIT_SECONDS)


def test_cancelling_a_finished_import_is_failed_precondition(
    client: Client, project: Project
) -> None:
    sent = client.import_documents(project.id, [document(1)])
    client.wait(sent.import_id, timeout=WAIT_SECONDS)
    with pytest.raises(FailedPreconditionError) as error:
        client.cancel_import(sent.import_id)
    check(error.value, FailedPreconditionError, grpc.StatusCode.FAILED_PRECONDITION)


def test_a_malformed_request_is_invalid_argument_and_a_second_project_already_exists(
    client: Client, project: Project
) -> None:
    with pytest.raises(InvalidArgumentError) as invalid:
        client.create_project("")
    check(invalid.value, InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT)

    with pytest.raises(AlreadyExistsError) as exists:
        client.create_project(project.name)
    check(exists.value, AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS)


def test_the_generated_stubs_raise_typed_errors_inside_typed_errors(client: Client) -> None:
    # The schema service is there, on the same channel (token included).
    request = schemas_pb2.GetSchemaRequest(name="no-such-schema")
    with pytest.raises(grpc.RpcError) as raw:
        client.schema_service.GetSchema(request)
    assert raw.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError) as typed:
        with typed_errors():
            client.schema_service.GetSchema(request)
    check(typed.value, NotFoundError, grpc.StatusCode.NOT_FOUND)


class _FailedCall(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    """A failed call with any status, as grpc raises them."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return f"the server said {self._code.name}"

    def initial_metadata(self) -> tuple:
        return ()

    def trailing_metadata(self) -> tuple:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: object) -> bool:
        return False


@pytest.mark.parametrize(
    "code, cls",
    [
        (grpc.StatusCode.UNAUTHENTICATED, UnauthenticatedError),
        (grpc.StatusCode.PERMISSION_DENIED, PermissionDeniedError),
        (grpc.StatusCode.NOT_FOUND, NotFoundError),
        (grpc.StatusCode.FAILED_PRECONDITION, FailedPreconditionError),
        (grpc.StatusCode.INVALID_ARGUMENT, InvalidArgumentError),
        (grpc.StatusCode.ALREADY_EXISTS, AlreadyExistsError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, ResourceExhaustedError),
        (grpc.StatusCode.UNAVAILABLE, UnavailableError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, DeadlineExceededError),
        (grpc.StatusCode.CANCELLED, CancelledError),
        (grpc.StatusCode.OUT_OF_RANGE, OutOfRangeError),
        (grpc.StatusCode.INTERNAL, FhirImportError),
        (grpc.StatusCode.UNKNOWN, FhirImportError),
    ],
)
def test_from_rpc_error_gives_the_class_of_each_status(
    code: grpc.StatusCode, cls: Type[FhirImportError]
) -> None:
    failed = _FailedCall(code)
    error = FhirImportError.from_rpc_error(failed)
    assert type(error) is cls
    assert (error.code, error.details, error.rpc_error) == (
        code,
        f"the server said {code.name}",
        failed,
    )
    assert repr(error) == f"{cls.__name__}({code}, 'the server said {code.name}')"
    # A subclass asked for the error still gives the status's class.
    assert type(NotFoundError.from_rpc_error(failed)) is cls


def test_timeouts_are_pythons_timeout_errors() -> None:
    assert issubclass(DeadlineExceededError, TimeoutError)
    waited = WaitTimeout("imp-1", 2.5)
    assert isinstance(waited, DeadlineExceededError)
    assert isinstance(waited, TimeoutError)
    assert waited.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert str(waited) == "DEADLINE_EXCEEDED: import imp-1 did not end within 2.5 s"
    assert waited.import_id == "imp-1"
