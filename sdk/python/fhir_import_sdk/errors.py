"""The errors SDK calls raise: ``FhirImportError`` when the server answers
with an error status (or cannot be reached), as the subclass named after
that status (``NotFoundError``, ``UnauthenticatedError``, …), and
``TokenRequestError`` when the OAuth 2.0 token endpoint refuses a token
request."""

from __future__ import annotations

import contextlib
from typing import Dict, Iterator, Optional, Tuple, Type

import grpc


class FhirImportError(Exception):
    """A failed fhir-import call: its gRPC status code and the server's message.

    Each status the API documents has its own subclass (``NotFoundError``,
    ``PermissionDeniedError``, …; ``FhirImportError.from_rpc_error`` picks
    it), so a portal can catch exactly what it handles and still catch
    ``FhirImportError`` for everything. ``code`` and ``details`` are plain
    attributes (not methods, as on grpc's own errors); the
    ``grpc.RpcError`` it was made from is kept as ``rpc_error`` and as
    ``__cause__``, as google-api-core does with its errors::

        try:
            client.get_project("local/nope")
        except NotFoundError:
            ...
        except FhirImportError as e:
            print(e.code, e.details)
    """

    code: grpc.StatusCode
    """The gRPC status code, e.g. ``grpc.StatusCode.NOT_FOUND``."""
    details: str
    """The server's message: what went wrong, and usually how to fix it."""
    rpc_error: Optional[grpc.RpcError]
    """The ``grpc.RpcError`` this error was made from, if any."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        """An error with status ``code`` and the server's ``message``."""
        super().__init__(code, message)
        self.code = code
        self.details = message
        self.rpc_error = None

    @property
    def message(self) -> str:
        """The same as ``details``."""
        return self.details

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "FhirImportError":
        """Wraps an error raised by grpc (a failed call) as the
        FhirImportError subclass of its status (``NotFoundError`` for
        NOT_FOUND, …; ``FhirImportError`` itself for a status without
        one, such as INTERNAL)."""
        code = grpc.StatusCode.UNKNOWN
        details = str(error)
        if isinstance(error, grpc.Call):
            code = error.code() or grpc.StatusCode.UNKNOWN
            details = error.details() or ""
        wrapped = error_for(code, details)
        wrapped.rpc_error = error
        return wrapped

    def __str__(self) -> str:
        """``CODE: message``, e.g. ``NOT_FOUND: project local/x not found``."""
        return f"{self.code.name}: {self.details}"

    def __repr__(self) -> str:
        """``NotFoundError(StatusCode.NOT_FOUND, '...')``."""
        return f"{type(self).__name__}({self.code}, {self.details!r})"


class UnauthenticatedError(FhirImportError):
    """UNAUTHENTICATED: the call carried no token, or one that is expired,
    revoked or not this server's; or the client's token source failed
    (then ``token_error`` says why)."""

    @property
    def token_error(self) -> Optional[BaseException]:
        """What the client's token source raised (a ``TokenRequestError``
        when the token endpoint refused), if that is why the call failed
        before it was sent; None when the server refused the token."""
        if isinstance(self.rpc_error, NoAccessToken):
            return self.rpc_error.reason
        return None


class PermissionDeniedError(FhirImportError):
    """PERMISSION_DENIED: the token is valid but lacks the scope or the
    project role the call needs (the message names which)."""


class NotFoundError(FhirImportError):
    """NOT_FOUND: no such project, import, file, FHIR server or schema, or
    not one the caller may see."""


class FailedPreconditionError(FhirImportError):
    """FAILED_PRECONDITION: the resource is not in a state that allows the
    call (cancelling a finished import, say), or the advance-access header
    is missing."""


class InvalidArgumentError(FhirImportError):
    """INVALID_ARGUMENT: the request is wrong; the message names the field
    and why."""


class AlreadyExistsError(FhirImportError):
    """ALREADY_EXISTS: what the call would create exists already."""


class ResourceExhaustedError(FhirImportError):
    """RESOURCE_EXHAUSTED: a quota or a cap on open streams; try again
    later."""


class UnavailableError(FhirImportError):
    """UNAVAILABLE: the server is draining, restarting or unreachable. The
    client retries reads and resumes watches before raising this."""


class DeadlineExceededError(FhirImportError, TimeoutError):
    """DEADLINE_EXCEEDED: the call's deadline passed. Also a
    ``TimeoutError``, so ``except TimeoutError`` works as for any Python
    timeout."""


class CancelledError(FhirImportError):
    """CANCELLED: the call was cancelled (by the caller, or the server cut
    it)."""


class OutOfRangeError(FhirImportError):
    """OUT_OF_RANGE: a page token or position past the end."""


class WaitTimeout(DeadlineExceededError):
    """``Client.wait`` ran out of time before the import ended: a
    ``TimeoutError`` (so ``except TimeoutError`` works as for any Python
    timeout) and a ``DeadlineExceededError`` (a ``FhirImportError`` with
    DEADLINE_EXCEEDED)."""

    import_id: str
    """The import that was still running."""

    def __init__(self, import_id: str, timeout: float) -> None:
        """The error for ``import_id``, still running after ``timeout`` s."""
        super().__init__(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            f"import {import_id} did not end within {timeout:g} s",
        )
        self.import_id = import_id


ERRORS_BY_CODE: Dict[grpc.StatusCode, Type[FhirImportError]] = {
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.CANCELLED: CancelledError,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRangeError,
}
"""The error class of each status the API documents."""


def error_for(code: grpc.StatusCode, message: str) -> FhirImportError:
    """A new error of the class for ``code`` (``FhirImportError`` for a
    status without its own class)."""
    return ERRORS_BY_CODE.get(code, FhirImportError)(code, message)


class TokenRequestError(Exception):
    """The OAuth 2.0 token endpoint refused a token request (a wrong client
    secret, a used or expired code, a revoked refresh token, …) or answered
    without an access token. Raised by the token sources and by
    ``exchange_code``; through a ``Client``, the call fails with
    ``UnauthenticatedError`` whose ``token_error`` is this."""

    status: int
    """The HTTP status of the answer, e.g. 400 or 401."""
    error: str
    """The OAuth 2.0 error code, e.g. ``invalid_client`` or ``invalid_grant``
    (``invalid_response`` when the answer held no access token)."""
    description: str
    """The endpoint's ``error_description``, if any."""
    retry_after: Optional[float]
    """Seconds to wait before asking again, from ``Retry-After`` (status
    429), if the endpoint said."""

    def __init__(
        self, status: int, error: str, description: str = "", retry_after: Optional[float] = None
    ) -> None:
        """The refusal: HTTP ``status``, OAuth ``error`` and ``description``."""
        super().__init__(status, error, description)
        self.status = status
        self.error = error
        self.description = description
        self.retry_after = retry_after

    def __str__(self) -> str:
        """``token request failed (401 invalid_client): <description>``."""
        text = f"token request failed ({self.status} {self.error})"
        return f"{text}: {self.description}" if self.description else text

    def __repr__(self) -> str:
        """``TokenRequestError(401, 'invalid_client', '...')``."""
        return f"TokenRequestError({self.status}, {self.error!r}, {self.description!r})"


class NoAccessToken(grpc.RpcError, grpc.Call, grpc.Future):  # type: ignore[misc]
    """A call that failed UNAUTHENTICATED before it was sent, because the
    client's token source raised ``reason``: what the client's channel
    returns instead of the call, so that the stubs see a failed call
    (iterating it, or asking its result, raises it) and the helpers an
    ``UnauthenticatedError``."""

    def __init__(self, reason: BaseException) -> None:
        """The failed call, for the token source's exception ``reason``."""
        super().__init__()
        self.reason = reason
        self.__cause__ = reason

    # grpc.Call / grpc.RpcContext

    def code(self) -> grpc.StatusCode:
        """UNAUTHENTICATED."""
        return grpc.StatusCode.UNAUTHENTICATED

    def details(self) -> str:
        """``no access token: <why the token source failed>``."""
        return f"no access token: {self.reason}"

    def initial_metadata(self) -> Tuple[Tuple[str, str], ...]:
        """None was received."""
        return ()

    def trailing_metadata(self) -> Tuple[Tuple[str, str], ...]:
        """None was received."""
        return ()

    def is_active(self) -> bool:
        """Never: the call is over."""
        return False

    def time_remaining(self) -> Optional[float]:
        """None: the call is over."""
        return None

    def cancel(self) -> bool:
        """Nothing to cancel."""
        return False

    def add_callback(self, callback: object) -> bool:
        """False: the call is over already."""
        return False

    # grpc.Future

    def cancelled(self) -> bool:
        """False: it failed, it was not cancelled."""
        return False

    def running(self) -> bool:
        """False: it is over."""
        return False

    def done(self) -> bool:
        """True: it is over."""
        return True

    def result(self, timeout: Optional[float] = None) -> object:
        """Raises this failed call."""
        raise self

    def exception(self, timeout: Optional[float] = None) -> BaseException:
        """This failed call."""
        return self

    def traceback(self, timeout: Optional[float] = None) -> None:
        """None."""
        return None

    def add_done_callback(self, fn: object) -> None:
        """Calls ``fn`` with this call at once: it is over."""
        fn(self)  # type: ignore[operator]

    # A response stream that has none.

    def __iter__(self) -> "NoAccessToken":
        """The (empty, failed) response stream."""
        return self

    def __next__(self) -> object:
        """Raises this failed call."""
        raise self

    def __str__(self) -> str:
        """``UNAUTHENTICATED: no access token: <reason>``."""
        return f"UNAUTHENTICATED: {self.details()}"


@contextlib.contextmanager
def typed_errors(unauthenticated_hint: Optional[str] = None) -> Iterator[None]:
    """Re-raises a ``grpc.RpcError`` from the block as the FhirImportError
    of its status (an UNAUTHENTICATED one gets ``unauthenticated_hint``
    added), the ``grpc.RpcError`` as its ``__cause__``. For the generated
    stubs, which raise grpc's own errors::

        with typed_errors():
            client.schema_service.GetSchema(request)
    """
    try:
        yield
    except FhirImportError:
        raise
    except grpc.RpcError as error:
        wrapped = FhirImportError.from_rpc_error(error)
        if unauthenticated_hint and wrapped.code == grpc.StatusCode.UNAUTHENTICATED:
            wrapped.details = f"{wrapped.details} ({unauthenticated_hint})"
        raise wrapped from error


translate_errors = typed_errors
"""The name ``typed_errors`` had before it was public."""
