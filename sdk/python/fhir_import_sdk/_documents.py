"""What ``Client.import_documents`` puts on the wire: documents turned into
DocumentInput messages, and the bounded hand-off between the caller's thread
(which reads the caller's iterable) and grpc's thread (which sends)."""

from __future__ import annotations

import collections
import json
import threading
from typing import Any, Deque, Iterator, Mapping, Optional, Tuple, Union, cast

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from ._generated.fhir_import.v1 import files_pb2, import_pb2

Document = Union[Mapping[str, Any], str, bytes, import_pb2.DocumentInput]
"""One document: a DocumentReference as a dict (sent as JSON), as JSON text
(sent as-is), as UTF-8 JSON bytes, or a ready DocumentInput message."""

DocumentItem = Union[Document, Tuple[Document, Mapping[str, str]]]
"""A document, or a ``(document, metadata)`` pair giving that document's own
metadata."""


def document_input(
    item: DocumentItem, index: int, metadata: Mapping[str, str]
) -> import_pb2.DocumentInput:
    """The DocumentInput for the ``index``-th item, with ``metadata`` under
    the item's own metadata (the item's keys win)."""
    own: Mapping[str, str] = {}
    if isinstance(item, tuple):
        if len(item) != 2:
            raise TypeError(
                f"document {index}: a tuple must be (document, metadata), got {len(item)} elements"
            )
        item, own = item
    if isinstance(item, import_pb2.DocumentInput):
        message = import_pb2.DocumentInput()
        message.CopyFrom(item)
        merged = {**metadata, **dict(item.metadata), **own}
    else:
        message = import_pb2.DocumentInput(resource_json=_json_text(item, index))
        merged = {**metadata, **own}
    message.metadata.clear()
    message.metadata.update(merged)
    return message


def _json_text(document: object, index: int) -> str:
    if isinstance(document, str):
        return document
    if isinstance(document, (bytes, bytearray)):
        return bytes(document).decode("utf-8")
    if isinstance(document, Mapping):
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    raise TypeError(
        f"document {index}: expected a dict, a str, bytes, a DocumentInput or a "
        f"(document, metadata) tuple, got {type(document).__name__}"
    )


def enum_value(enum: EnumTypeWrapper, prefix: str, value: Union[str, int]) -> int:
    """An enum value from its number, its full name (``CONFLICT_POLICY_SKIP``)
    or its short name in any case (``skip``)."""
    if isinstance(value, int):
        if value not in enum.values():
            raise ValueError(f"{value} is not a {enum.DESCRIPTOR.name} value")
        return value
    name = value.upper()
    if not name.startswith(prefix):
        name = prefix + name
    try:
        return enum.Value(name)
    except ValueError:
        known = ", ".join(
            n[len(prefix) :].lower() for n in enum.keys() if not n.endswith("_UNSPECIFIED")
        )
        raise ValueError(
            f"{value!r} is not a {enum.DESCRIPTOR.name}; use one of: {known}"
        ) from None


def conflict_policy(value: Union[str, int]) -> import_pb2.ConflictPolicy:
    """A ConflictPolicy from ``"overwrite"``, ``"skip"``, ``"rename"``, a full
    name or a number."""
    return cast(
        import_pb2.ConflictPolicy,
        enum_value(import_pb2.ConflictPolicy, "CONFLICT_POLICY_", value),
    )


def item_state(value: Union[str, int]) -> import_pb2.ItemState:
    """An ItemState from ``"rejected"``, ``"ITEM_STATE_REJECTED"`` or a number."""
    return cast(import_pb2.ItemState, enum_value(import_pb2.ItemState, "ITEM_STATE_", value))


def metadata_state(value: Union[str, int]) -> files_pb2.MetadataState:
    """A MetadataState from ``"failed"``, ``"METADATA_STATE_FAILED"`` or a number."""
    return cast(
        files_pb2.MetadataState, enum_value(files_pb2.MetadataState, "METADATA_STATE_", value)
    )


def by_reference(document_id: str) -> import_pb2.DocumentInput:
    """A document the server reads from the import's FHIR server by its id
    (``DocumentReference/{document_id}``), instead of one sent as JSON. Give
    it to ``Client.import_documents`` like any other item; a ``(document,
    metadata)`` pair works too."""
    return import_pb2.DocumentInput(reference=f"DocumentReference/{document_id}")


_END = object()


class Handoff:
    """A bounded queue of request messages from the caller's thread to
    grpc's sending thread.

    The caller ``put``s messages (blocking while ``capacity`` are waiting)
    and ``finish``es; grpc iterates. Once the call is over (``call_done``),
    ``put`` returns False and iteration stops. A caller that fails must
    cancel the call, never ``finish``: iteration then ends only after the
    cancel, so the server sees a cut stream, not a complete one.
    """

    def __init__(self, capacity: int) -> None:
        """An empty hand-off holding at most ``capacity`` messages."""
        self._capacity = capacity
        self._items: Deque[object] = collections.deque()
        self._cond = threading.Condition()
        self._call_done = False
        self._drained = False
        self.taken = 0
        """Messages grpc has taken from the hand-off so far."""

    def put(self, message: object) -> bool:
        """Queues ``message``; False (and dropped) when the call is over."""
        with self._cond:
            while len(self._items) >= self._capacity and not self._call_done:
                self._cond.wait()
            if self._call_done:
                return False
            self._items.append(message)
            self._cond.notify_all()
            return True

    def finish(self) -> None:
        """Ends the stream after the messages already queued."""
        with self._cond:
            self._items.append(_END)
            self._cond.notify_all()

    def call_done(self, _call: object = None) -> None:
        """Marks the call as over (a grpc done-callback)."""
        with self._cond:
            self._call_done = True
            self._cond.notify_all()

    def wait_taken(self, seen: int) -> Tuple[int, bool]:
        """Waits until grpc has taken more than ``seen`` messages, or took
        the end, or the call is over; returns how many it has taken and
        whether it will take no more."""
        with self._cond:
            while self.taken <= seen and not self._drained and not self._call_done:
                self._cond.wait()
            return self.taken, self._drained or self._call_done

    def __iter__(self) -> Iterator[Any]:
        """The messages, in order, as grpc's request iterator."""
        while True:
            with self._cond:
                while not self._items and not self._call_done:
                    self._cond.wait()
                if self._call_done:
                    return
                message: Optional[object] = self._items.popleft()
                if message is _END:
                    self._drained = True
                else:
                    self.taken += 1
                self._cond.notify_all()
            if message is _END:
                return
            yield message


def bundle_documents(bundle: Union[Mapping[str, Any], str, bytes]) -> Iterator[Mapping[str, Any]]:
    """The DocumentReferences among a FHIR Bundle's entries, in order (other
    resources are left out), for ``Client.import_documents``. ``bundle`` is
    the Bundle as a dict or as JSON text (str or UTF-8 bytes); anything but
    a Bundle raises ``ValueError``, as does text that is not JSON::

        with open("bundle.json") as f:
            client.import_documents(project, bundle_documents(f.read()))
    """
    parsed: object = json.loads(bundle) if isinstance(bundle, (str, bytes, bytearray)) else bundle
    if not isinstance(parsed, Mapping) or parsed.get("resourceType") != "Bundle":
        kind = parsed.get("resourceType") if isinstance(parsed, Mapping) else type(parsed).__name__
        raise ValueError(f"expected a Bundle, got {kind}")
    entries = parsed.get("entry") or []
    if not isinstance(entries, list):
        raise ValueError("Bundle.entry: expected a list")
    resources = [e.get("resource") for e in entries if isinstance(e, Mapping)]
    return iter(
        [
            r
            for r in resources
            if isinstance(r, Mapping) and r.get("resourceType") == "DocumentReference"
        ]
    )
