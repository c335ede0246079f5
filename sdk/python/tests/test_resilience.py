"""A server that restarts under the client: a watch resumes by sequence,
reads are sent again, writes are not. And what import_documents tells as it
goes (progress), and Bundles as a source of documents."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import grpc
import pytest
from _server import TestServer
from test_client import WAIT_SECONDS, document

from fhir_import_sdk import (
    Client,
    ImportEvent,
    ImportState,
    Project,
    RetryPolicy,
    UnavailableError,
    bundle_documents,
)

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def wait_for(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Polls ``condition`` until it is true (returning its value); fails
    the test, saying ``what`` never happened, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"{what} within {seconds} s")


class CountingToken:
    """The server's token, counting how often the client asked for it:
    once per attempt of a call."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.asked = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.asked += 1
        return self.token


def test_a_watch_resumes_by_sequence_after_the_server_restarts(
    own_server: Callable[..., TestServer],
) -> None:
    # A short grace period: on SIGTERM the open import stream is cut at once.
    server = own_server(FHIR_IMPORT__SHUTDOWN_GRACE_MS="300")
    with Client(server.address, token=server.token) as client:
        project = client.create_project("py-resume")

        # A stream that sends five documents and stays open: the import
        # keeps receiving until the restart cuts it.
        release = threading.Event()

        def documents() -> Iterator[Dict[str, Any]]:
            yield from (document(n) for n in range(5))
            release.wait(WAIT_SECONDS)

        cut: List[BaseException] = []

        def send() -> None:
            try:
                client.import_documents(project.id, documents())
            except BaseException as error:  # noqa: BLE001 - the test looks at it
                cut.append(error)

        sender = threading.Thread(target=send)
        sender.start()
        import_id = wait_for(
            lambda: next(
                (i.id for i in client.list_imports(project.id) if i.counts.received == 5), None
            ),
            "the import did not receive its five documents",
        )

        events: List[ImportEvent] = []
        reconnects: List[tuple] = []
        failed: List[BaseException] = []

        def follow() -> None:
            try:
                for event in client.watch(
                    import_id, on_reconnect=lambda e, n: reconnects.append((e, n))
                ):
                    events.append(event)
            except BaseException as error:  # noqa: BLE001 - the test looks at it
                failed.append(error)

        follower = threading.Thread(target=follow)
        follower.start()
        wait_for(lambda: events, "the watch saw no event")

        server.restart()
        release.set()
        sender.join(WAIT_SECONDS)
        follower.join(WAIT_SECONDS)
        assert not sender.is_alive() and not follower.is_alive()

        assert len(cut) == 1 and isinstance(cut[0], UnavailableError), f"the stream was cut: {cut}"
        assert failed == [], f"the watch ended with {failed}"
        assert len(reconnects) >= 1, "the watch reconnected"
        assert all(isinstance(e, UnavailableError) for e, _ in reconnects), reconnects
        assert [n for _, n in reconnects][:1] == [1]

        kinds = [e.WhichOneof("kind") for e in events]
        assert kinds.count("snapshot") == 1 and kinds[0] == "snapshot", kinds
        sequences = [e.sequence for e in events[1:]]
        assert all(a < b for a, b in zip(sequences, sequences[1:])), sequences
        last = events[-1]
        assert last.WhichOneof("kind") == "state_change"
        assert last.state_change.state == ImportState.IMPORT_STATE_COMPLETED_WITH_ERRORS
        finished = client.get_import(import_id)
        assert finished.last_sequence == last.sequence, "the watch saw the import's last event"
        assert finished.counts.imported == 5


def test_a_watch_resumes_by_sequence_after_the_connection_drops(
    own_server: Callable[..., TestServer],
) -> None:
    # kill -9, and a short lease: the restarted server takes the killed
    # one's import over at once.
    server = own_server(FHIR_IMPORT__IMPORT__LEASE_MS="500")
    with Client(server.address, token=server.token) as client:
        project = client.create_project("py-dropped")
        release = threading.Event()

        def documents() -> Iterator[Dict[str, Any]]:
            yield from (document(n) for n in range(5))
            release.wait(WAIT_SECONDS)

        cut: List[BaseException] = []

        def send() -> None:
            try:
                client.import_documents(project.id, documents())
            except BaseException as error:  # noqa: BLE001 - the test looks at it
                cut.append(error)

        sender = threading.Thread(target=send)
        sender.start()
        import_id = wait_for(
            lambda: next(
                (i.id for i in client.list_imports(project.id) if i.counts.received == 5), None
            ),
            "the import did not receive its five documents",
        )
        events: List[ImportEvent] = []
        failed: List[BaseException] = []

        def follow() -> None:
            try:
                for event in client.watch(import_id):
                    events.append(event)
            except BaseException as error:  # noqa: BLE001 - the test looks at it
                failed.append(error)

        follower = threading.Thread(target=follow)
        follower.start()
        wait_for(lambda: events, "the watch saw no event")

        server.kill()
        release.set()
        sender.join(WAIT_SECONDS)
        server.up()
        follower.join(WAIT_SECONDS)
        assert not sender.is_alive() and not follower.is_alive()
        assert len(cut) == 1, "the stream failed with its server"
        assert failed == [], f"the watch ended with {failed}"
        kinds = [e.WhichOneof("kind") for e in events]
        assert kinds.count("snapshot") == 1, kinds
        sequences = [e.sequence for e in events[1:]]
        assert all(a < b for a, b in zip(sequences, sequences[1:])), sequences
        assert client.get_import(import_id).last_sequence == events[-1].sequence


def test_a_read_is_sent_again_while_the_server_is_down_and_a_write_is_not(
    own_server: Callable[..., TestServer],
) -> None:
    server = own_server()
    token = CountingToken(server.token)
    with Client(server.address, token=token, retry=RetryPolicy(retries=10, backoff=0.1)) as client:
        project = client.create_project("py-retry")
        server.down()
        try:
            before = token.asked
            with pytest.raises(UnavailableError) as write:
                client.create_project("py-retry-2")
            assert write.value.code == grpc.StatusCode.UNAVAILABLE
            assert token.asked == before + 1, "a write is sent once"

            read: List[Project] = []
            failed: List[BaseException] = []
            asked = token.asked

            def get() -> None:
                try:
                    read.append(client.get_project(project.id))
                except BaseException as error:  # noqa: BLE001 - the test looks at it
                    failed.append(error)

            reader = threading.Thread(target=get)
            reader.start()
            # The read has failed and been sent again at least once.
            wait_for(lambda: token.asked >= asked + 2 or failed, "the read was not sent again")
            assert failed == [], "the read was given up while the server was down"
            server.up()
            reader.join(WAIT_SECONDS)
            assert failed == [] and [p.id for p in read] == [project.id]
        finally:
            server.up()


def test_retrying_can_be_turned_off(own_server: Callable[..., TestServer]) -> None:
    server = own_server()
    token = CountingToken(server.token)
    with Client(server.address, token=token, retry=RetryPolicy(retries=0)) as client:
        project = client.create_project("py-no-retry")
        server.down()
        try:
            asked = token.asked
            with pytest.raises(UnavailableError):
                client.get_project(project.id)
            assert token.asked == asked + 1
        finally:
            server.up()


def test_the_progress_callback_follows_the_documents_the_stream_takes(
    client: Client, project: Project
) -> None:
    seen: List[int] = []
    threads: List[threading.Thread] = []

    def progress(sent: int) -> None:
        seen.append(sent)
        threads.append(threading.current_thread())

    sent = client.import_documents(
        project.id, (document(n) for n in range(40)), on_progress=progress
    )
    assert sent.accepted == 40
    assert seen == list(range(1, 41))
    assert set(threads) == {threading.main_thread()}, "told on the calling thread"

    # Many more documents than are read ahead of the network: told while
    # the stream goes on (the reading of the last waited for the stream to
    # take most of the others), each one once, in order.
    more: List[int] = []
    told_before_the_last: List[int] = []

    def documents() -> Iterator[Dict[str, Any]]:
        for n in range(300):
            if n == 299:
                told_before_the_last.append(len(more))
            yield document(1000 + n)

    again = client.import_documents(project.id, documents(), on_progress=more.append)
    assert again.accepted == 300
    assert more == list(range(1, 301))
    assert told_before_the_last[0] > 0


def test_a_bundles_document_references_are_imported(client: Client, project: Project) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": document(10)},
            {"resource": {"resourceType": "Patient", "id": "pt-1"}},
            {"fullUrl": "urn:uuid:no-resource"},
            {"resource": document(11)},
        ],
    }
    from_text = client.import_documents(project.id, bundle_documents(json.dumps(bundle)))
    assert (from_text.received, from_text.accepted, from_text.rejected) == (2, 2, 0)
    from_dict = list(bundle_documents(bundle))
    assert [d["id"] for d in from_dict] == ["doc-10", "doc-11"]

    sample = (SAMPLES / "bundle.json").read_bytes()
    from_file = client.import_documents(
        project.id, bundle_documents(sample), metadata={"study": "SD_BUNDLE"}
    )
    assert from_file.accepted == 3
    client.wait(from_file.import_id, timeout=WAIT_SECONDS)
    assert len(list(client.list_files(project.id, where={"study": "SD_BUNDLE"}))) == 3

    with pytest.raises(ValueError, match="expected a Bundle, got Patient"):
        bundle_documents({"resourceType": "Patient"})
    with pytest.raises(ValueError):
        bundle_documents("{not JSON")


def test_reads_are_gets_lists_and_previews_and_pauses_double_up_to_five_seconds() -> None:
    from fhir_import_sdk._channel import is_read

    assert is_read("/fhir_import.v1.ImportService/GetImport")
    assert is_read("/fhir_import.v1.ImportService/ListImportItems")
    assert is_read("/fhir_import.v1.FhirServerService/PreviewScrape")
    assert not is_read("/fhir_import.v1.ImportService/CancelImport")
    assert not is_read("/fhir_import.v1.ImportService/ImportDocuments")
    assert not is_read("/fhir_import.v1.ProjectService/CreateProject")
    policy = RetryPolicy()
    assert (policy.retries, policy.pause(0), policy.pause(3), policy.pause(40)) == (
        3,
        0.1,
        0.8,
        5.0,
    )
