#!/usr/bin/env bash
# Server peak RSS and wall time over one N-document stream (default one
# million), as a portal sends it: the release server on a fresh SQLite
# file, the CLI `import --watch` of generated NDJSON. Build first:
# `cargo build --release --bin fhir-import`. Usage: N=300000 scripts/stream-rss.sh
set -euo pipefail
BIN="$(cd "$(dirname "$0")/.." && pwd)/target/release/fhir-import"
N=${N:-1000000}
D=$(mktemp -d /tmp/stream.XXXX); cd "$D"
python3 - "$N" > docs.ndjson <<'PY'
import json, sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    out.write(json.dumps({"resourceType": "DocumentReference", "id": f"doc-{i}", "status": "current", "docStatus": "final",
        "subject": {"reference": f"Patient/pt-{i % 50}"},
        "content": [{"attachment": {"url": f"drs://data.example.org/file-{i}", "title": f"sample-{i}.cram",
            "contentType": "application/octet-stream", "size": 5000000000 + i, "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}}]}) + "\n")
PY
export FHIR_IMPORT__LISTEN=127.0.0.1:${PORT:-50077}
export FHIR_IMPORT_SERVER=http://$FHIR_IMPORT__LISTEN
$BIN serve > serve.out 2> serve.err &
SP=$!
sleep 2
$BIN admin create-user ada --admin >/dev/null 2>&1
CLIENT=$($BIN admin create-client --name m --owner ada --scope projects --scope import:write --scope import:read --scope files:read 2>/dev/null)
CLIENT_ID=$(echo "$CLIENT" | python3 -c 'import json, sys; print(json.load(sys.stdin)["client_id"])')
export FHIR_IMPORT_TOKEN=$($BIN admin issue-token --user ada --client "$CLIENT_ID" --print-token 2>/dev/null)
$BIN projects create big > /dev/null
start=$(date +%s.%N)
/usr/bin/time -f "client: %e s wall, %M KB max RSS" $BIN import --project big docs.ndjson --watch > import.out 2> import.err || true
end=$(date +%s.%N)
tail -1 import.out
grep "client:" import.err
echo "server peak RSS: $(grep VmHWM /proc/$SP/status)"
echo "docs: $N, JSON bytes: $(stat -c %s docs.ndjson), wall: $(python3 -c "print(round($end-$start,1))") s"
kill -TERM $SP; wait $SP || true
echo "database: $(du -cb fhir-import.db* | tail -1)"
cd /; rm -rf "$D"
