"""ImportResult, Rejection and RejectionCodeName on their own: no server."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from fhir_import_sdk import (
    Import,
    ImportDocumentsResponse,
    ImportResult,
    ItemRejection,
    Rejection,
    RejectionCode,
    RejectionCodeName,
)
from fhir_import_sdk.results import _LineNumbers

INVALID_RESOURCE = RejectionCode.REJECTION_CODE_INVALID_RESOURCE


def test_rejection_code_names_print_by_name_and_stay_ints() -> None:
    code = RejectionCodeName(INVALID_RESOURCE)
    assert str(code) == repr(code) == code.name == "INVALID_RESOURCE"
    assert f"{code}" == "INVALID_RESOURCE"
    assert f"[{code:<18}]" == "[INVALID_RESOURCE  ]"
    assert f"{code:d}" == str(INVALID_RESOURCE)
    assert repr([code]) == "[INVALID_RESOURCE]"

    assert isinstance(code, int)
    assert code == INVALID_RESOURCE == RejectionCode.Value("REJECTION_CODE_INVALID_RESOURCE") == 4
    assert code != RejectionCode.Value("REJECTION_CODE_INVALID_JSON")
    assert hash(code) == hash(INVALID_RESOURCE)
    assert {INVALID_RESOURCE: "found"}[code] == "found"
    assert RejectionCode.Name(code) == "REJECTION_CODE_INVALID_RESOURCE"
    assert int(code) + 1 == INVALID_RESOURCE + 1
    assert type(int(code)) is int

    # Every value of the generated enum, named from its descriptor.
    for full_name, number in RejectionCode.items():
        assert str(RejectionCodeName(number)) == full_name[len("REJECTION_CODE_") :]

    # A value from a newer server prints as its number.
    unknown = RejectionCodeName(999)
    assert str(unknown) == repr(unknown) == unknown.name == "999"
    assert unknown == 999

    again = pickle.loads(pickle.dumps(code))
    assert type(again) is RejectionCodeName and again == code and str(again) == str(code)


def test_rejections_print_like_the_cli() -> None:
    message = ItemRejection(
        index=5, document_id="kf-gf-5s0yq7ga", code=INVALID_RESOURCE, message="status: required"
    )
    from_ndjson = Rejection.from_proto(message, line=6)
    assert str(from_ndjson) == "line 6: #5 kf-gf-5s0yq7ga INVALID_RESOURCE: status: required"
    assert isinstance(from_ndjson.code, RejectionCodeName)
    assert from_ndjson.code == INVALID_RESOURCE
    assert "code=INVALID_RESOURCE" in repr(from_ndjson)

    # A plain int is wrapped.
    anonymous = Rejection(3, "", 2, "not JSON")  # type: ignore[arg-type]
    assert anonymous.line is None
    assert isinstance(anonymous.code, RejectionCodeName)
    assert str(anonymous) == "#3 - INVALID_JSON: not JSON"

    with pytest.raises(dataclasses.FrozenInstanceError):
        anonymous.line = 4  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(from_ndjson)) == from_ndjson


def test_import_results_read_through_to_the_response() -> None:
    response = ImportDocumentsResponse(
        import_id="imp-1",
        received=3,
        accepted=2,
        rejected=1,
        rejections=[ItemRejection(index=1, code=INVALID_RESOURCE, message="status: required")],
        replayed=True,
    )
    getattr(response, "import").CopyFrom(Import(id="imp-1"))
    result = ImportResult(response)

    assert (result.import_id, result.received, result.accepted, result.rejected) == (
        "imp-1",
        3,
        2,
        1,
    )
    assert result.replayed and not result.rejections_truncated
    assert result.import_ == Import(id="imp-1")
    assert [str(r) for r in result.rejections] == ["#1 - INVALID_RESOURCE: status: required"]
    assert result.response is response
    # Whatever ImportResult does not name comes from the response.
    assert result.HasField("import")
    assert result.ByteSize() == response.ByteSize()
    with pytest.raises(AttributeError, match="'ImportResult' object has no attribute 'nope'"):
        _ = result.nope
    assert "rejections=[Rejection(index=1" in repr(result)

    for clone in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
        assert clone.response == response
        assert clone.rejections == result.rejections

    assert ImportResult(ImportDocumentsResponse()).import_ is None
    with_lines = ImportResult(response, [Rejection.from_proto(response.rejections[0], line=4)])
    assert str(with_lines.rejections[0]).startswith("line 4: #1 ")


def test_line_numbers_follow_blank_lines() -> None:
    numbers = _LineNumbers()
    for line in [1, 2, 4, 5, 6, 9, 10]:
        numbers.add(line)
    assert [numbers.line(i) for i in range(7)] == [1, 2, 4, 5, 6, 9, 10]
    assert numbers.line(7) is None and numbers.line(-1) is None
    assert _LineNumbers().line(0) is None
