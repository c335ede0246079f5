"""The channel every call of a ``Client`` goes through (its helpers and its
generated stubs alike): each call gets the bearer token from the client's
token source, ``x-sbg-advance-access: advance`` and the client's own
metadata, and blocking unary reads (``Get…``, ``List…``, ``Preview…``) are
sent again after UNAVAILABLE, with backoff. Writes are never sent again:
the first attempt may have been done."""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

import grpc

from .credentials import TokenSource
from .errors import NoAccessToken

ADVANCE_ACCESS_HEADER = "x-sbg-advance-access"
"""The header the platform requires on every call."""
ADVANCE_ACCESS_VALUE = "advance"
"""Its value."""

READ_PREFIXES = ("Get", "List", "Preview")
"""The methods that only read: safe to send again whatever happened to the
first attempt."""

MAX_BACKOFF = 5.0
"""The longest pause between two attempts (seconds)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How a ``Client`` sends reads again after UNAVAILABLE (a draining or
    restarting server, a dropped connection)."""

    retries: int = 3
    """Attempts after the first (0 turns retrying off)."""
    backoff: float = 0.1
    """Seconds before the first retry, doubled each time up to 5 s."""

    def pause(self, attempt: int) -> float:
        """The pause before retry number ``attempt + 1`` (0-based)."""
        return backoff_pause(self.backoff, attempt)


def backoff_pause(backoff: float, attempt: int) -> float:
    """``backoff`` doubled ``attempt`` times, at most 5 s."""
    return float(min(MAX_BACKOFF, backoff * (2 ** min(attempt, 32))))


def is_read(method: str) -> bool:
    """``/fhir_import.v1.ImportService/GetImport`` → True: a read."""
    return method.rsplit("/", 1)[-1].startswith(READ_PREFIXES)


class _Details(
    collections.namedtuple(
        "_Details",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,  # type: ignore[misc]
):
    """A call's details, changed by an interceptor."""


def _details(details: grpc.ClientCallDetails, **changes: Any) -> _Details:
    fields = {
        name: getattr(details, name, None)
        for name in (
            "method",
            "timeout",
            "metadata",
            "credentials",
            "wait_for_ready",
            "compression",
        )
    }
    fields.update(changes)
    return _Details(**fields)


class PlatformHeaders(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[misc]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[misc]
    grpc.StreamUnaryClientInterceptor,  # type: ignore[misc]
    grpc.StreamStreamClientInterceptor,  # type: ignore[misc]
):
    """Adds ``authorization: Bearer <token>`` (the token asked from
    ``token`` for each call), ``x-sbg-advance-access: advance`` and
    ``metadata`` to every call, leaving any key the call sets itself as
    the call set it. A token source that raises fails the call
    UNAUTHENTICATED before it is sent (a ``NoAccessToken`` call)."""

    def __init__(self, token: Optional[TokenSource], metadata: Sequence[Tuple[str, str]]) -> None:
        """Headers from ``token`` (None: no authorization) and ``metadata``."""
        self._token = token
        self._metadata = tuple(metadata)

    def _with_headers(self, details: grpc.ClientCallDetails) -> Any:
        """The details with the headers, or a NoAccessToken."""
        own: List[Tuple[str, Any]] = list(details.metadata or ())
        present = {key.lower() for key, _ in own}
        extra = [(k, v) for k, v in self._metadata if k.lower() not in present]
        if "authorization" not in present and self._token is not None:
            try:
                token = self._token()
            except Exception as reason:  # noqa: BLE001 - any failure means no token
                return NoAccessToken(reason)
            if token:
                extra.append(("authorization", f"Bearer {token}"))
        if ADVANCE_ACCESS_HEADER not in present and not any(
            k == ADVANCE_ACCESS_HEADER for k, _ in extra
        ):
            extra.append((ADVANCE_ACCESS_HEADER, ADVANCE_ACCESS_VALUE))
        return _details(details, metadata=own + extra)

    def _intercept(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        changed = self._with_headers(details)
        if isinstance(changed, NoAccessToken):
            return changed
        return continuation(changed, request)

    def intercept_unary_unary(
        self, continuation: Any, client_call_details: Any, request: Any
    ) -> Any:
        """A unary call, with the headers."""
        return self._intercept(continuation, client_call_details, request)

    def intercept_unary_stream(
        self, continuation: Any, client_call_details: Any, request: Any
    ) -> Any:
        """A call with a stream of responses, with the headers."""
        return self._intercept(continuation, client_call_details, request)

    def intercept_stream_unary(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        """A call with a stream of requests, with the headers."""
        return self._intercept(continuation, client_call_details, request_iterator)

    def intercept_stream_stream(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        """A bidirectional call, with the headers."""
        return self._intercept(continuation, client_call_details, request_iterator)


class RetryReads(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Sends a blocking unary read again after UNAVAILABLE, with the pauses
    of ``policy``, within the call's deadline (``timeout`` counts from the
    first attempt). Streams and writes go once, and so does a ``.future()``
    call still under way when it comes back here."""

    def __init__(self, policy: RetryPolicy) -> None:
        """Retries as ``policy`` says."""
        self._policy = policy

    def intercept_unary_unary(
        self, continuation: Any, client_call_details: Any, request: Any
    ) -> Any:
        """The call, sent again while it is a read that failed UNAVAILABLE."""
        if self._policy.retries <= 0 or not is_read(client_call_details.method):
            return continuation(client_call_details, request)
        timeout = client_call_details.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        details = client_call_details
        attempt = 0
        while True:
            outcome = continuation(details, request)
            # A .future() call is under way: it is the caller's, as it is.
            if not outcome.done():
                return outcome
            if outcome.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self._policy.retries:
                return outcome
            pause = self._policy.pause(attempt)
            if deadline is not None:
                left = deadline - time.monotonic() - pause
                if left <= 0:
                    return outcome
                details = _details(client_call_details, timeout=left)
            time.sleep(pause)
            attempt += 1
