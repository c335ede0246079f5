"""The real fhir-import server for the SDK's tests: the binary
(``$FHIR_IMPORT_BIN``, else ``target/debug/fhir-import``, built with
``cargo build`` if missing) on a fresh SQLite file, with a user ``sdk`` who
has a password, a portal with a secret and a redirect URI, and a token for
the user through the portal, all made with ``fhir-import admin`` as an
operator would. It can be stopped and started again on the same address and
database."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, Mapping, Optional

REPO = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 60
STOP_SECONDS = 30
ISSUER = "http://fhir-import.sdk-tests"
"""The server's token issuer, set for ``serve`` and ``admin`` alike so the
tokens ``admin issue-token`` signs name the issuer the server checks."""
SCOPES = ("projects", "import:write", "import:read", "files:read", "admin")
"""What the test portal is registered for (``admin``: the user ``sdk`` is a
platform admin, so tokens through the portal may carry it)."""
USER = "sdk"
PASSWORD = "a long passphrase for the sdk tests"
"""The user ``sdk`` signs in with this on the authorization page."""
REDIRECT_URI = "https://portal.example.org/callback"
"""Where the test portal's authorization codes go."""


def binary() -> Path:
    """The server binary: ``$FHIR_IMPORT_BIN``, else the workspace's debug
    build, built first if it is missing."""
    configured = os.environ.get("FHIR_IMPORT_BIN")
    if configured:
        return Path(configured)
    built = REPO / "target" / "debug" / "fhir-import"
    if not built.exists():
        subprocess.run(["cargo", "build", "-q"], cwd=REPO, check=True)
    return built


class ServerError(RuntimeError):
    """The server did not start, or did not stop as it should."""


class TestServer:
    """One ``fhir-import serve`` on a fresh store in ``work``; ``extra_env``
    is more ``FHIR_IMPORT__…`` configuration."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, work: Path, extra_env: Optional[Mapping[str, str]] = None) -> None:
        """A server to be started with ``start()``; nothing runs yet."""
        self.work = work
        self.env: Dict[str, str] = {
            k: v for k, v in os.environ.items() if not k.startswith("FHIR_IMPORT")
        }
        self.env.update(extra_env or {})
        self.env["FHIR_IMPORT__AUTH__ISSUER"] = ISSUER
        self.env["FHIR_IMPORT__DATABASE_URL"] = f"sqlite://{work / 'sdk.db'}"
        self.address = "127.0.0.1:0"
        self.process: Optional[subprocess.Popen] = None
        self.stderr_path = work / "stderr"
        self.portal: Dict[str, str] = {}
        """``admin create-client``'s answer: ``client_id``, ``client_secret``."""
        self.token = ""
        """An access token for ``sdk`` through the portal, every scope."""

    @property
    def base_url(self) -> str:
        """``http://ADDRESS``: where the OAuth endpoints are."""
        return f"http://{self.address}"

    def start(self) -> "TestServer":
        """Starts the server, then makes the user, the portal and the token."""
        self.up()
        self.admin("create-user", USER, "--admin", "--password-stdin", input=PASSWORD + "\n")
        scopes = [arg for scope in SCOPES for arg in ("--scope", scope)]
        self.portal = self.admin(
            "create-client",
            "--name",
            "Python SDK tests",
            "--owner",
            USER,
            *scopes,
            "--redirect-uri",
            REDIRECT_URI,
        )
        issued = self.admin("issue-token", "--user", USER, "--client", self.portal["client_id"])
        self.token = issued["access_token"]
        return self

    def admin(self, *args: str, input: Optional[str] = None) -> dict:
        """``fhir-import admin ARGS`` on the server's store; its JSON."""
        done = subprocess.run(
            [str(binary()), "admin", *args],
            cwd=self.work,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ServerError(f"admin {' '.join(args)}: {done.stderr}")
        return json.loads(done.stdout)

    def up(self) -> None:
        """Starts the server (again, on the same address) unless it runs."""
        if self.process is not None and self.process.poll() is None:
            return
        with open(self.stderr_path, "ab") as stderr:
            process = subprocess.Popen(
                [str(binary()), "serve", "--listen", self.address],
                cwd=self.work,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        self.process = process
        self.address = self._listening_address(process)
        # Keep reading stdout, so that the server never blocks on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]

    def down(self) -> None:
        """SIGTERM, which must end the server with status 0."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise ServerError(
                f"the server did not stop within {STOP_SECONDS} s of SIGTERM"
            ) from None
        if code != 0:
            raise ServerError(f"the server exited with {code}:\n{self.stderr_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye; its connections die with it."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """SIGTERM (which must exit 0), then the same server again on the
        same address and store."""
        self.down()
        self.up()

    def _listening_address(self, process: subprocess.Popen) -> str:
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
        raise ServerError(f"the server did not start:\n{self.stderr_path.read_text()}")
