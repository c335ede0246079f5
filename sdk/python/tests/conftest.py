"""Fixtures: the real fhir-import server (the binary, on a free port, with a
fresh SQLite file) for the whole session, a Client, a fresh project, and a
real FHIR server registered with it."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from fhir_import_sdk import Client, Project, fhir_servers_pb2

REPO = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 60
ISSUER = "http://fhir-import.sdk-tests"
"""The server's token issuer, set for ``serve`` and ``admin`` alike so the
tokens ``admin issue-token`` signs name the issuer the server checks."""


def _binary() -> Path:
    binary = Path(os.environ.get("FHIR_IMPORT_BIN", REPO / "target" / "debug" / "fhir-import"))
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q"], cwd=REPO, check=True)
    return binary


def _environment(work: Path) -> dict:
    """Only what the tests set configures the server and admin commands: no
    FHIR_IMPORT__* from the environment and no fhir-import.toml in ``work``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIR_IMPORT")}
    env["FHIR_IMPORT__AUTH__ISSUER"] = ISSUER
    env["FHIR_IMPORT__DATABASE_URL"] = f"sqlite://{work / 'sdk.db'}"
    return env


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's working directory, holding its database."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def server(work: Path) -> Iterator[str]:
    """Runs ``fhir-import serve --listen 127.0.0.1:0`` and yields the address
    it prints (``listening on ADDR``); SIGTERM stops it, which must exit 0."""
    stderr_path = work / "stderr"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [str(_binary()), "serve", "--listen", "127.0.0.1:0"],
            cwd=work,
            env=_environment(work),
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        addr = _listening_address(process, stderr_path)
        yield addr
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("the server did not stop within 30 s of SIGTERM")
        assert code == 0, f"the server exited with {code}:\n{stderr_path.read_text()}"


def _listening_address(process: subprocess.Popen, stderr_path: Path) -> str:
    """The ADDR of the server's ``listening on ADDR`` line on stdout."""
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = process.stdout.readline().decode()
            if line.startswith("listening on "):
                return line[len("listening on ") :].strip()
            if not line:  # stdout closed: the server exited
                break
    process.kill()
    process.wait()
    pytest.fail(f"the server did not start:\n{stderr_path.read_text()}")


def admin(work: Path, *args: str) -> dict:
    """Runs ``fhir-import admin ARGS`` on the test server's store; its JSON."""
    done = subprocess.run(
        [str(_binary()), "admin", *args],
        cwd=work,
        env=_environment(work),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def token(server: str, work: Path) -> str:
    """An access token for the user ``sdk`` with every API scope, issued
    through a portal registered for the tests."""
    admin(work, "create-user", "sdk", "--admin")
    scopes = ["projects", "import:write", "import:read", "files:read"]
    portal = admin(
        work,
        "create-client",
        "--name",
        "SDK tests",
        "--owner",
        "sdk",
        *[arg for scope in scopes for arg in ("--scope", scope)],
    )
    return admin(work, "issue-token", "--user", "sdk", "--client", portal["client_id"])[
        "access_token"
    ]


@pytest.fixture
def client(server: str, token: str) -> Iterator[Client]:
    """A Client connected to the test server, acting for ``sdk``."""
    with Client(server, token=token) as client:
        yield client


@pytest.fixture
def project(client: Client) -> Project:
    """A new project with a unique name."""
    return client.create_project(f"sdk-{uuid.uuid4().hex[:12]}", description="SDK test")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def fhir_server(server: str, work: Path, token: str) -> Iterator[Tuple[str, List[str]]]:
    """A real FHIR server (sekmet-fhir, installed as the Rust tests install
    it) holding a small synthetic Kids First study, registered with the test
    server as ``sekmet``; yields that id and the study's DocumentReference
    ids. (``token`` is asked for because it creates the user ``sdk``.)"""
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
                str(_binary()),
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
        operator = admin(
            work, "create-client", "--name", "SDK admin", "--owner", "sdk", "--scope", "admin"
        )
        admin_token = admin(
            work, "issue-token", "--user", "sdk", "--client", operator["client_id"]
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
