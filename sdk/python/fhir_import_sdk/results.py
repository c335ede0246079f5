"""What ``Client.import_documents`` and ``Client.import_ndjson`` return: the
server's ImportDocumentsResponse with its rejections made readable (codes by
name, NDJSON rejections with their input line)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from ._generated.fhir_import.v1 import import_pb2

_PREFIX = "REJECTION_CODE_"

_NAMES: Dict[int, str] = {
    value.number: value.name[len(_PREFIX) :] if value.name.startswith(_PREFIX) else value.name
    for value in import_pb2.RejectionCode.DESCRIPTOR.values
}
"""Each RejectionCode value's short name, from the generated enum."""

_NUMERIC_FORMATS = frozenset("bcdoxXneEfFgG%")

if TYPE_CHECKING:
    # RejectionCode values are plain ints at run time; to the type checker
    # they are RejectionCode, which a RejectionCodeName then is too.
    _Code = import_pb2.RejectionCode
else:
    _Code = int


class RejectionCodeName(_Code):
    """A RejectionCode value that prints as its short name: ``str()``,
    ``repr()`` and ``.name`` give ``INVALID_RESOURCE`` for
    ``REJECTION_CODE_INVALID_RESOURCE``, and a value this SDK does not know
    (from a newer server) as its number. It is still that int: it equals
    ``RejectionCode.Value("REJECTION_CODE_INVALID_RESOURCE")`` and works
    wherever a RejectionCode value does. A numeric format spec
    (``f"{code:d}"``) gives the number; any other pads the name."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The short name (``INVALID_RESOURCE``), or the number as text."""
        return _NAMES.get(int(self), str(int(self)))

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        if spec and spec[-1] in _NUMERIC_FORMATS:
            return int.__format__(int(self), spec)
        return format(self.name, spec)


@dataclass(frozen=True)
class Rejection:
    """One rejected document. ``str()`` gives what the CLI prints:
    ``line 6: #5 kf-gf-5s0yq7ga INVALID_RESOURCE: status: required``."""

    index: int
    """0-based position of the document among those sent."""
    document_id: str
    """The DocumentReference id, when one could be read; else empty."""
    code: RejectionCodeName
    """The kind of problem: a RejectionCode value that prints by name."""
    message: str
    """What is wrong and where, e.g. ``status: required``."""
    line: Optional[int] = None
    """The document's 1-based line in the input file (``import_ndjson``
    only; blank lines count); None otherwise."""

    def __post_init__(self) -> None:
        if not isinstance(self.code, RejectionCodeName):
            object.__setattr__(self, "code", RejectionCodeName(self.code))

    @classmethod
    def from_proto(
        cls, rejection: import_pb2.ItemRejection, line: Optional[int] = None
    ) -> "Rejection":
        """The Rejection for an ItemRejection message."""
        return cls(
            index=rejection.index,
            document_id=rejection.document_id,
            code=RejectionCodeName(rejection.code),
            message=rejection.message,
            line=line,
        )

    def __str__(self) -> str:
        at = "" if self.line is None else f"line {self.line}: "
        return f"{at}#{self.index} {self.document_id or '-'} {self.code}: {self.message}"


class ImportResult:
    """The outcome of one ImportDocuments call: the counts, the import, and
    the rejections as ``Rejection`` objects. Any other attribute is read
    from the server's ImportDocumentsResponse (``response``), so code
    written against the raw message keeps working."""

    __slots__ = ("response", "rejections")

    response: import_pb2.ImportDocumentsResponse
    """The server's response, as it came."""
    rejections: List[Rejection]
    """The first 1000 rejections in stream order (``rejections_truncated``
    says whether there were more; ``Client.list_import_items(import_id,
    states=["rejected"])`` lists them all)."""

    def __init__(
        self,
        response: import_pb2.ImportDocumentsResponse,
        rejections: Optional[Sequence[Rejection]] = None,
    ) -> None:
        """Wraps ``response``; ``rejections`` defaults to its own, without
        lines."""
        self.response = response
        self.rejections = (
            list(rejections)
            if rejections is not None
            else [Rejection.from_proto(r) for r in response.rejections]
        )

    @property
    def import_id(self) -> str:
        """Id of the import; empty for ``validate_only``."""
        return self.response.import_id

    @property
    def received(self) -> int:
        """Documents received."""
        return self.response.received

    @property
    def accepted(self) -> int:
        """Documents that passed validation and are stored durably."""
        return self.response.accepted

    @property
    def rejected(self) -> int:
        """Documents rejected (``rejections`` lists the first 1000)."""
        return self.response.rejected

    @property
    def rejections_truncated(self) -> bool:
        """True when there were more rejections than listed."""
        return self.response.rejections_truncated

    @property
    def replayed(self) -> bool:
        """True when this replays an earlier import with the same
        idempotency key; nothing new was imported."""
        return self.response.replayed

    @property
    def import_(self) -> Optional[import_pb2.Import]:
        """The import as it stood when the server answered; None for
        ``validate_only``."""
        if not self.response.HasField("import"):
            return None
        imported: import_pb2.Import = getattr(self.response, "import")
        return imported

    def __getattr__(self, name: str) -> Any:
        # Only names not found above get here. Private ones (pickle and copy
        # probe for __setstate__ & co.) and unset slots do not fall back.
        if name.startswith("_") or name in ImportResult.__slots__:
            raise AttributeError(name)
        try:
            return getattr(self.response, name)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}"
            ) from None

    def __repr__(self) -> str:
        return (
            f"ImportResult(import_id={self.import_id!r}, received={self.received}, "
            f"accepted={self.accepted}, rejected={self.rejected}, "
            f"rejections={self.rejections!r})"
        )


class _LineNumbers:
    """The 1-based input line of each document read from an NDJSON file,
    kept as the places where skipped blank lines shift it: memory grows with
    the runs of blank lines, not with the documents."""

    def __init__(self) -> None:
        self._count = 0
        self._starts: List[int] = []  # the index where each shift begins
        self._shifts: List[int] = []  # line - index from there on

    def add(self, line: int) -> None:
        """The next document is on ``line``."""
        shift = line - self._count
        if not self._shifts or self._shifts[-1] != shift:
            self._starts.append(self._count)
            self._shifts.append(shift)
        self._count += 1

    def line(self, index: int) -> Optional[int]:
        """The line of the ``index``-th document, None if none was read."""
        if not 0 <= index < self._count:
            return None
        return index + self._shifts[bisect.bisect_right(self._starts, index) - 1]
