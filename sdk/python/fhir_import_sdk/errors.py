"""FhirImportError: what every SDK call raises when the server answers with
an error status (or cannot be reached)."""

from __future__ import annotations

import contextlib
from typing import Iterator, Optional

import grpc


class FhirImportError(Exception):
    """A failed fhir-import call: its gRPC status code and the server's message.

    ``code`` and ``details`` are plain attributes (not methods, as on grpc's
    own errors); the ``grpc.RpcError`` it was made from is kept as
    ``rpc_error`` and as ``__cause__``, as google-api-core does with its
    errors::

        try:
            client.get_project("local/nope")
        except FhirImportError as e:
            if e.code == grpc.StatusCode.NOT_FOUND:
                ...
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
        """Wraps an error raised by grpc (a failed call) as a FhirImportError."""
        code = grpc.StatusCode.UNKNOWN
        details = str(error)
        if isinstance(error, grpc.Call):
            code = error.code() or grpc.StatusCode.UNKNOWN
            details = error.details() or ""
        wrapped = cls(code, details)
        wrapped.rpc_error = error
        return wrapped

    def __str__(self) -> str:
        """``CODE: message``, e.g. ``NOT_FOUND: project local/x not found``."""
        return f"{self.code.name}: {self.details}"

    def __repr__(self) -> str:
        """``FhirImportError(StatusCode.NOT_FOUND, '...')``."""
        return f"FhirImportError({self.code}, {self.details!r})"


class WaitTimeout(FhirImportError, TimeoutError):
    """``Client.wait`` ran out of time before the import ended: a
    ``TimeoutError`` (so ``except TimeoutError`` works as for any Python
    timeout) and a ``FhirImportError`` with DEADLINE_EXCEEDED."""

    import_id: str
    """The import that was still running."""

    def __init__(self, import_id: str, timeout: float) -> None:
        super().__init__(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            f"import {import_id} did not end within {timeout:g} s",
        )
        self.import_id = import_id


@contextlib.contextmanager
def translate_errors(unauthenticated_hint: Optional[str] = None) -> Iterator[None]:
    """Re-raises a ``grpc.RpcError`` from the block as a FhirImportError;
    an UNAUTHENTICATED one gets ``unauthenticated_hint`` added."""
    try:
        yield
    except FhirImportError:
        raise
    except grpc.RpcError as error:
        wrapped = FhirImportError.from_rpc_error(error)
        if unauthenticated_hint and wrapped.code == grpc.StatusCode.UNAUTHENTICATED:
            wrapped.details = f"{wrapped.details} ({unauthenticated_hint})"
        raise wrapped from error
