#!/usr/bin/env bash
# The test FHIR server sekmet-fhir, pinned, in its own virtualenv under
# target/ (ignored like all of target/). Creates or updates the virtualenv
# only when the pin changed, then prints the path of the `sekmet` executable
# on stdout (everything else goes to stderr). Run it under
# `flock target/sekmet-venv.lock` when several processes may start it at once:
# the test harness does.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

SEKMET_VERSION=0.1.1

venv=target/sekmet-venv
python=$venv/bin/python
stamp="sekmet-fhir==$SEKMET_VERSION"

if ! command -v python3 >/dev/null; then
  echo "python3 is needed for the test FHIR server (sekmet-fhir); install Python 3.10+ with venv and pip" >&2
  exit 1
fi
if ! "$python" -c 'import sys' 2>/dev/null; then
  echo "== creating $venv" >&2
  rm -rf "$venv"
  mkdir -p target
  python3 -m venv "$venv" >&2
fi
if [ "$(cat "$venv/.sekmet-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "== installing $stamp into $venv" >&2
  rm -f "$venv/.sekmet-stamp"
  "$python" -m pip install --quiet "$stamp" >&2
  echo "$stamp" >"$venv/.sekmet-stamp"
fi
echo "$(pwd)/$venv/bin/sekmet"
