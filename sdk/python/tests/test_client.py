"""The SDK against the real server: what a portal developer would do."""

from __future__ import annotations

import itertools
import pickle
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import grpc
import pytest

from fhir_import_sdk import (
    Client,
    FhirImportError,
    ImportDocumentsResponse,
    ImportResult,
    ImportState,
    ItemState,
    MetadataState,
    Project,
    Rejection,
    RejectionCode,
    by_reference,
)

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
WAIT_SECONDS = 120


def document(n: int) -> Dict[str, Any]:
    """A valid DocumentReference numbered ``n``, as a portal would send it
    (the same shape as the Rust tests' ``tests/common/docs.rs``)."""
    return {
        "resourceType": "DocumentReference",
        "id": f"doc-{n}",
        "status": "current",
        "docStatus": "final",
        "subject": {"reference": f"Patient/pt-{n % 50}"},
        "content": [
            {
                "attachment": {
                    "url": f"drs://data.example.org/file-{n}",
                    "title": f"sample-{n}.cram",
                    "contentType": "application/octet-stream",
                    "size": 5_000_000_000 + n,
                    "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
                }
            }
        ],
    }


def state(import_: Any) -> str:
    return ImportState.Name(import_.state)


def test_create_and_get_project(client: Client) -> None:
    created = client.create_project("sdk-projects", description="Kids First demo")
    assert created.slug == f"{created.owner}/sdk-projects"
    assert created.description == "Kids First demo"

    assert client.get_project(created.slug) == created
    assert client.get_project(created.id) == created
    assert created.id in [p.id for p in client.list_projects()]
    # Paging: one project per page still finds it.
    assert created.id in [p.id for p in client.list_projects(page_size=1)]

    with pytest.raises(FhirImportError) as error:
        client.create_project("sdk-projects")
    assert error.value.code == grpc.StatusCode.ALREADY_EXISTS


def test_import_from_a_generator_of_1000_dicts(client: Client, project: Project) -> None:
    produced = 0

    def documents() -> Iterator[Dict[str, Any]]:
        nonlocal produced
        # Read on the caller's thread, so thread-bound sources work.
        assert threading.current_thread() is threading.main_thread()
        for n in range(1000):
            produced += 1
            yield document(n)

    response = client.import_documents(project.slug, documents())
    assert produced == 1000
    assert (response.received, response.accepted, response.rejected) == (1000, 1000, 0)
    assert response.import_id

    done = client.wait(response.import_id, timeout=WAIT_SECONDS)
    assert state(done) == "IMPORT_STATE_COMPLETED"
    assert done.counts.imported == 1000

    files = list(client.list_files(project.slug))
    assert len(files) == 1000
    assert {f.name for f in files} == {f"sample-{n}.cram" for n in range(1000)}
    assert all(f.import_id == response.import_id for f in files)
    by_doc = {f.document_reference_id: f for f in files}
    assert by_doc["doc-7"].size == 5_000_000_007
    assert by_doc["doc-7"].url == "drs://data.example.org/file-7"


def test_bad_documents_are_rejected_alone(client: Client, project: Project) -> None:
    no_url = document(8)
    del no_url["content"][0]["attachment"]["url"]
    documents = (
        {3: "this is not JSON", 6: {"resourceType": "Patient", "id": "pt-1"}, 8: no_url}.get(
            n, document(n)
        )
        for n in range(10)
    )

    response = client.import_documents(project.id, documents)
    assert (response.received, response.accepted, response.rejected) == (10, 7, 3)
    rejections = [(r.index, RejectionCode.Name(r.code)) for r in response.rejections]
    assert rejections == [
        (3, "REJECTION_CODE_INVALID_JSON"),
        (6, "REJECTION_CODE_WRONG_RESOURCE_TYPE"),
        (8, "REJECTION_CODE_INVALID_RESOURCE"),
    ]
    assert response.rejections[2].document_id == "doc-8"
    assert "attachment" in response.rejections[2].message
    # Printed as the CLI prints them: no line (not from a file), "-" for no id.
    assert str(response.rejections[0]).startswith("#3 - INVALID_JSON: ")
    assert str(response.rejections[2]).startswith("#8 doc-8 INVALID_RESOURCE: ")
    assert all(r.line is None for r in response.rejections)

    done = client.wait(response.import_id, timeout=WAIT_SECONDS)
    assert state(done) == "IMPORT_STATE_COMPLETED_WITH_ERRORS"
    assert (done.counts.imported, done.counts.rejected) == (7, 3)
    rejected = list(client.list_import_items(response.import_id, states=["rejected"]))
    assert [item.index for item in rejected] == [3, 6, 8]
    assert all(ItemState.Name(i.state) == "ITEM_STATE_REJECTED" for i in rejected)
    assert len(list(client.list_files(project.id))) == 7


def test_per_document_metadata_and_where(client: Client, project: Project) -> None:
    documents = ((document(n), {"sample": "tumor" if n % 2 else "normal"}) for n in range(6))
    response = client.import_documents(
        project.slug,
        documents,
        metadata={"study": "SD_BHJXBDQK", "sample": "unknown"},
        tags=["demo", "sdk"],
    )
    assert response.accepted == 6
    client.wait(response.import_id, timeout=WAIT_SECONDS)

    tumor = list(client.list_files(project.slug, where={"sample": "tumor"}))
    assert sorted(f.document_reference_id for f in tumor) == ["doc-1", "doc-3", "doc-5"]
    assert dict(tumor[0].metadata) == {"study": "SD_BHJXBDQK", "sample": "tumor"}
    assert list(tumor[0].tags) == ["demo", "sdk"]
    both = client.list_files(project.slug, where={"study": "SD_BHJXBDQK", "sample": "normal"})
    assert sorted(f.document_reference_id for f in both) == ["doc-0", "doc-2", "doc-4"]
    assert list(client.list_files(project.slug, where={"study": "SD_OTHER"})) == []
    assert len(list(client.list_files(project.slug, page_size=4))) == 6

    # The full file, with its DocumentReference; messages pickle.
    full = client.get_file(tumor[0].id)
    assert '"resourceType"' in full.document_reference_json
    assert pickle.loads(pickle.dumps(full)) == full


def test_watch_yields_a_snapshot_then_increasing_sequences(
    client: Client, project: Project
) -> None:
    response = client.import_documents(project.slug, (document(n) for n in range(20)))

    events = list(client.watch(response.import_id))
    assert events[0].WhichOneof("kind") == "snapshot"
    assert events[0].snapshot.id == response.import_id
    assert events[0].sequence == 0
    sequences = [e.sequence for e in events]
    assert all(a < b for a, b in zip(sequences, sequences[1:])), sequences
    assert {e.WhichOneof("kind") for e in events[1:]} <= {"item", "progress", "state_change"}
    last = events[-1]
    assert last.WhichOneof("kind") == "state_change"
    assert ImportState.Name(last.state_change.state) == "IMPORT_STATE_COMPLETED"

    # Resuming after a sequence: a snapshot at that position, then only
    # the later events; the stream ends since the import has.
    middle = sequences[len(sequences) // 2]
    resumed = list(client.watch(response.import_id, after_sequence=middle))
    assert resumed[0].WhichOneof("kind") == "snapshot"
    assert resumed[0].sequence == middle
    assert [e.sequence for e in resumed[1:]] == [s for s in sequences if s > middle]


def test_unknown_project_is_not_found(client: Client) -> None:
    with pytest.raises(FhirImportError) as error:
        client.get_project("sdk/no-such-project")
    assert error.value.code == grpc.StatusCode.NOT_FOUND
    assert "no-such-project" in error.value.details
    assert isinstance(error.value.__cause__, grpc.RpcError)
    assert error.value.rpc_error is error.value.__cause__

    # The server answers as soon as it reads the header: an endless
    # generator is read no further and the error comes back.
    endless = (document(n) for n in itertools.count())
    with pytest.raises(FhirImportError) as error:
        client.import_documents("sdk/no-such-project", endless, timeout=60)
    assert error.value.code == grpc.StatusCode.NOT_FOUND
    assert "NOT_FOUND" in str(error.value)


def test_import_ndjson_sample(client: Client, project: Project) -> None:
    response = client.import_ndjson(
        project.slug,
        SAMPLES / "document-references.ndjson",
        metadata={"study": "SD_BHJXBDQK"},
    )
    assert (response.received, response.accepted, response.rejected) == (8, 7, 1)
    assert [r.index for r in response.rejections] == [5]
    assert response.rejections[0].document_id == "kf-gf-5s0yq7ga"
    assert RejectionCode.Name(response.rejections[0].code) == "REJECTION_CODE_INVALID_RESOURCE"
    assert response.rejections[0].line == 6

    done = client.wait(response.import_id, timeout=WAIT_SECONDS)
    assert state(done) == "IMPORT_STATE_COMPLETED_WITH_ERRORS"
    assert len(list(client.list_files(project.slug, where={"study": "SD_BHJXBDQK"}))) == 7


def test_ndjson_rejections_print_by_name_with_their_line(
    client: Client, project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sample with blank lines among the documents (one of spaces and a
    # CR): the bad document, the sixth, is on line 8.
    lines = (SAMPLES / "document-references.ndjson").read_bytes().splitlines()
    ndjson = tmp_path / "gaps.ndjson"
    ndjson.write_bytes(b"\n".join(lines[:2] + [b""] + lines[2:5] + [b"  \r"] + lines[5:]) + b"\n")

    sent = client.import_ndjson(project.slug, ndjson)
    assert isinstance(sent, ImportResult)
    (bad,) = sent.rejections
    assert isinstance(bad, Rejection)
    assert (bad.index, bad.line, bad.document_id) == (5, 8, "kf-gf-5s0yq7ga")
    assert str(bad) == "line 8: #5 kf-gf-5s0yq7ga INVALID_RESOURCE: status: required"
    for r in sent.rejections:
        print(r.index, r.code, r.message)
        print(r)
    assert capsys.readouterr().out == (
        "5 INVALID_RESOURCE status: required\n"
        "line 8: #5 kf-gf-5s0yq7ga INVALID_RESOURCE: status: required\n"
    )
    # Still the enum's int.
    assert bad.code == RejectionCode.Value("REJECTION_CODE_INVALID_RESOURCE")
    assert bad.code == sent.response.rejections[0].code
    assert RejectionCode.Name(bad.code) == "REJECTION_CODE_INVALID_RESOURCE"

    # What code written against the raw response reads still works.
    assert isinstance(sent.response, ImportDocumentsResponse)
    assert (sent.received, sent.accepted, sent.rejected) == (8, 7, 1)
    assert sent.import_id and not sent.replayed and not sent.rejections_truncated
    assert sent.import_ is not None
    assert sent.import_.id == sent.import_id
    assert ImportState.Name(sent.import_.state).startswith("IMPORT_STATE_")
    # Anything else comes from the response itself.
    assert sent.HasField("import")
    assert getattr(sent, "import") == sent.import_
    assert sent.ListFields() == sent.response.ListFields()
    with pytest.raises(AttributeError, match="no_such_field"):
        _ = sent.no_such_field

    done = client.wait(sent.import_id, timeout=WAIT_SECONDS)
    assert (done.counts.imported, done.counts.rejected) == (7, 1)


def test_validate_only_stores_nothing(client: Client, project: Project) -> None:
    documents = [document(1), '{"resourceType": "DocumentReference"}']
    response = client.import_documents(project.slug, documents, validate_only=True)
    assert response.import_id == ""
    assert response.import_ is None
    assert (response.accepted, response.rejected) == (1, 1)
    assert [r.index for r in response.rejections] == [1]
    assert list(client.list_files(project.slug)) == []
    assert list(client.list_imports(project.slug)) == []


def test_an_error_reading_documents_cuts_the_stream(client: Client, project: Project) -> None:
    def documents() -> Iterator[Dict[str, Any]]:
        yield from (document(n) for n in range(10))
        # Fail only once the server has stored those ten.
        deadline = time.monotonic() + WAIT_SECONDS
        while not any(i.counts.received >= 10 for i in client.list_imports(project.slug)):
            assert time.monotonic() < deadline, "the first documents never arrived"
            time.sleep(0.01)
        raise RuntimeError("the portal's database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        client.import_documents(project.slug, documents())

    # The server kept what it had, and saw a cut stream, not a complete one.
    (cut,) = client.list_imports(project.slug)
    done = client.wait(cut.id, timeout=WAIT_SECONDS)
    assert done.counts.imported == 10
    assert len(list(client.list_files(project.slug))) == 10
    assert state(done) == "IMPORT_STATE_COMPLETED_WITH_ERRORS"
    assert "cancelled" in done.error


def test_bad_arguments_fail_before_sending(client: Client, project: Project) -> None:
    with pytest.raises(ValueError, match="skip, overwrite, rename"):
        client.import_documents(project.slug, [], on_conflict="replace")
    with pytest.raises(TypeError, match="document 1: expected a dict"):
        client.import_documents(project.slug, [document(0), 42])


def test_calls_carry_the_token_and_the_advance_access_header(
    server: str, token: str, project: Project
) -> None:
    with Client(f"http://{server}", token=token, metadata={"x-portal": "kf"}) as client:
        assert ("authorization", f"Bearer {token}") in client.metadata
        assert ("x-sbg-advance-access", "advance") in client.metadata
        assert client.get_project(project.id).id == project.id
        response = client.import_documents(project.id, [document(1)], on_conflict="skip")
        assert response.accepted == 1

    # Without a token, or with one the server did not sign, nothing is done.
    for bad in (None, "t0ken"):
        with Client(server, token=bad) as anonymous:
            with pytest.raises(FhirImportError) as error:
                anonymous.get_project(project.id)
            assert error.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_documents_by_reference_are_read_from_the_fhir_server_and_rescraped(
    client: Client, project: Project, fhir_server: Tuple[str, List[str]]
) -> None:
    server_id, ids = fhir_server
    documents = [by_reference(i) for i in ids] + [by_reference("not-on-the-server")]
    sent = client.import_documents(project.slug, documents, fhir_server=server_id)
    assert (sent.accepted, sent.rejected) == (len(ids), 1)
    (missing,) = sent.rejections
    assert missing.index == len(ids)
    assert missing.code == RejectionCode.REJECTION_CODE_REFERENCE_NOT_RESOLVABLE
    assert "not-on-the-server" in missing.message

    done = client.wait(sent.import_id, timeout=WAIT_SECONDS)
    assert state(done) == "IMPORT_STATE_COMPLETED_WITH_ERRORS"
    assert done.counts.scraped == len(ids)
    files = list(client.list_files(project.slug))
    assert sorted(f.document_reference_id for f in files) == sorted(ids)
    assert all(f.metadata_state == MetadataState.METADATA_STATE_COMPLETE for f in files)
    assert all(f.metadata["case_id"].startswith("PT-") for f in files)

    started = client.rescrape_files(project.slug, all_files=True)
    assert started.files == len(ids)
    (rescrape,) = started.imports
    again = client.wait(rescrape.id, timeout=WAIT_SECONDS)
    assert state(again) == "IMPORT_STATE_COMPLETED"
    assert again.counts.scraped == len(ids)

    with pytest.raises(ValueError):
        client.rescrape_files(project.slug)
    with pytest.raises(ValueError):
        client.rescrape_files(project.slug, all_files=True, metadata_states=["bogus"])
    with pytest.raises(FhirImportError) as refused:
        client.rescrape_files(project.slug, all_files=True, metadata_states=["pending"])
    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_the_environment_gives_server_and_token_and_no_token_says_what_to_do(
    server: str, token: str, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FHIR_IMPORT_SERVER", f"http://{server}")
    monkeypatch.setenv("FHIR_IMPORT_TOKEN", token)
    with Client() as from_environment:
        assert from_environment.target == server
        assert from_environment.get_project(project.id).id == project.id

    monkeypatch.delenv("FHIR_IMPORT_TOKEN")
    with Client() as anonymous:
        with pytest.raises(FhirImportError) as error:
            anonymous.get_project(project.id)
    assert error.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert "pass token=" in str(error.value)
    assert "FHIR_IMPORT_TOKEN" in str(error.value)


def test_wait_raises_pythons_own_timeout_error(client: Client, project: Project) -> None:
    from fhir_import_sdk import WaitTimeout

    # An import whose stream stays open does not end while it is open.
    release = threading.Event()

    def slow() -> Iterator[Dict[str, Any]]:
        yield document(1)
        release.wait(30)

    started: List[str] = []

    def send() -> None:
        response = client.import_documents(project.slug, slow())
        started.append(response.import_id)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        deadline = time.monotonic() + 30
        running = []
        while not running and time.monotonic() < deadline:
            running = list(client.list_imports(project.slug))
            time.sleep(0.05)
        assert running, "the import started"
        with pytest.raises(TimeoutError) as timed_out:
            client.wait(running[0].id, timeout=0.5)
        assert isinstance(timed_out.value, WaitTimeout)
        assert isinstance(timed_out.value, FhirImportError)
        assert timed_out.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert running[0].id in str(timed_out.value)
    finally:
        release.set()
        sender.join(30)
