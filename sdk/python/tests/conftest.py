"""Fixtures: the real fhir-import server (the binary, ``$FHIR_IMPORT_BIN`` or
``target/debug/fhir-import``, on a free port, with a fresh SQLite file) for
the whole session, its portal, a Client, a fresh project, a server of a
test's own that can be restarted, and a real FHIR server registered with
the session's server."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import pytest
from _server import REPO, STARTUP_SECONDS, ServerError, TestServer, binary

from fhir_import_sdk import Client, Portal, Project, fhir_servers_pb2


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session server's working directory, holding its database."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def test_server(work: Path) -> Iterator[TestServer]:
    """The session's server, with the user ``sdk`` (a platform admin with a
    password), a portal (secret, redirect URI, every scope) and a token for
    the user through it; SIGTERM stops it at the end, which must exit 0."""
    server = TestServer(work)
    try:
        yield server.start()
    finally:
        try:
            server.down()
        except ServerError as error:
            pytest.fail(str(error))


@pytest.fixture(scope="session")
def server(test_server: TestServer) -> str:
    """The session server's address (``host:port``)."""
    return test_server.address


@pytest.fixture(scope="session")
def token(test_server: TestServer) -> str:
    """An access token for the user ``sdk`` with every API scope, issued
    through the test portal."""
    return test_server.token


@pytest.fixture(scope="session")
def portal(test_server: TestServer) -> Portal:
    """The test portal as the token endpoint knows it (with its secret)."""
    return Portal(
        test_server.base_url,
        test_server.portal["client_id"],
        test_server.portal["client_secret"],
    )


@pytest.fixture
def client(server: str, token: str) -> Iterator[Client]:
    """A Client connected to the test server, acting for ``sdk``."""
    with Client(server, token=token) as client:
        yield client


@pytest.fixture
def project(client: Client) -> Project:
    """A new project with a unique name."""
    return client.create_project(f"sdk-{uuid.uuid4().hex[:12]}", description="SDK test")


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Callable[..., TestServer]]:
    """Starts a server of the test's own (``own_server(FHIR_IMPORT__X="…")``
    for more configuration), which the test may stop, start and restart on
    the same address; stopped at the end."""
    started: List[TestServer] = []

    def start(**extra_env: str) -> TestServer:
        work = tmp_path / f"server-{len(started)}"
        work.mkdir()
        server = TestServer(work, extra_env)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.down()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def fhir_server(
    server: str, work: Path, test_server: TestServer
) -> Iterator[Tuple[str, List[str]]]:
    """A real FHIR server (sekmet-fhir, installed as the Rust tests install
    it) holding a small synthetic Kids First study, registered with the test
    server as ``sekmet``; yields that id and the study's DocumentReference
    ids."""
    sekmet = subprocess.run(
        [
            "flock",
            str(REPO / "target" / "sekmet-venv.lock"),
            "bash",
            str(REPO / "scripts" / "fhir-server.sh"),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    home = work / "sekmet"
    home.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/fhir"
    (home / "settings.yaml").write_text(
        f"base_url: {base}\nhost: 127.0.0.1\nport: {port}\n"
        f'data_dir: {home / "data"}\ndb_path: ":memory:"\nlog_inbound: false\n'
    )
    with open(home / "log", "wb") as log:
        process = subprocess.Popen(
            [
                sekmet,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--config",
                str(home / "settings.yaml"),
            ],
            cwd=home,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{base}/metadata", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"sekmet did not start:\n{(home / 'log').read_text()}")
                time.sleep(0.2)
        data = work / "study"
        subprocess.run(
            [
                str(binary()),
                "dataset",
                "kids-first",
                "--seed",
                "3",
                "--families",
                "2",
                "--out-dir",
                str(data),
            ],
            check=True,
            capture_output=True,
        )
        load = urllib.request.Request(
            base,
            data=(data / "bundle.json").read_bytes(),
            headers={"content-type": "application/fhir+json"},
            method="POST",
        )
        urllib.request.urlopen(load, timeout=60).read()
        ids = [
            json.loads(line)["id"]
            for line in (data / "documents.ndjson").read_text().splitlines()
            if line
        ]

        # Registering takes the admin scope: a token through a client that has it.
        operator = test_server.admin(
            "create-client", "--name", "SDK admin", "--owner", "sdk", "--scope", "admin"
        )
        admin_token = test_server.admin(
            "issue-token", "--user", "sdk", "--client", operator["client_id"]
        )["access_token"]
        with Client(server, token=admin_token) as as_admin:
            as_admin.fhir_server_service.RegisterFhirServer(
                fhir_servers_pb2.RegisterFhirServerRequest(
                    id="sekmet",
                    base_url=base,
                    schema="ncpi-kids-first",
                    allowed_projects=["sdk/*"],
                    allow_private_addresses=True,
                ),
                metadata=as_admin.metadata,
            )
        yield "sekmet", ids
    finally:
        process.terminate()
        process.wait(timeout=30)
