"""The README's examples, run as pasted against the real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def block_under(heading: str) -> str:
    """The first ```python block of the README's section ``heading``."""
    text = README.read_text()
    section = text.split(f"\n## {heading}\n", 1)
    assert len(section) == 2, f"README.md has no section {heading!r}"
    found = re.search(r"```python\n(.*?)```", section[1].split("\n## ", 1)[0], re.S)
    assert found, f"README.md has no python block under {heading!r}"
    return found.group(1)


def run(code: str, tmp_path: Path, server: str, token: str) -> str:
    """Runs ``code`` as a script with the server and token in the
    environment, as the README says; its stdout."""
    script = tmp_path / "example.py"
    script.write_text(code)
    env: Dict[str, str] = {k: v for k, v in os.environ.items() if not k.startswith("FHIR_IMPORT")}
    env.update(FHIR_IMPORT_SERVER=f"http://{server}", FHIR_IMPORT_TOKEN=token)
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        pytest.fail(f"the example failed:\n{done.stderr}")
    return done.stdout


def test_the_quickstart_runs_as_pasted(tmp_path: Path, server: str, token: str) -> None:
    quickstart = block_under("Quickstart")
    assert len(quickstart.strip().splitlines()) <= 15, "the quickstart is at most 15 lines"
    out = run(quickstart, tmp_path, server, token)
    assert re.search(r"^accepted 1, rejected 1: #1 - INVALID_JSON: ", out, re.M), out
    lines = out.strip().splitlines()
    assert lines[1] == "0 snapshot", out
    assert re.fullmatch(r"\d+ state_change", lines[-2]), out
    assert lines[-1] == "['reads-1.cram']", out


def test_the_longer_example_runs_as_pasted(tmp_path: Path, server: str, token: str) -> None:
    out = run(block_under("A longer example"), tmp_path, server, token)
    lines = out.splitlines()
    assert lines[:5] == [
        "250 sent",
        "500 sent",
        "750 sent",
        "1000 sent",
        "accepted 1000, rejected 0",
    ], out
    assert "IMPORT_STATE_COMPLETED 1000 imported" in lines
    assert lines[-1].startswith("500 tumor files, e.g. sample-")
