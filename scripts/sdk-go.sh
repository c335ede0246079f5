#!/usr/bin/env bash
# The Go SDK (sdk/go): gofmt, go vet and go test (against the real server)
# in GOPATH mode, with Debian's Go 1.19 and its gRPC and protobuf libraries
# (scripts/sdk-tools.sh): no module proxy is reachable here, so sdk/go/go.mod
# is for the SDK's users and CI builds without it. The workspace (a GOPATH
# holding a link to sdk/go, and the build cache) is target/sdk-go. Its
# generated code comes from scripts/sdk-generate.sh. Arguments go to
# `go test`, e.g. `scripts/sdk-go.sh -run TestTour`. FHIR_IMPORT_BIN names a
# prebuilt server binary; without it the debug binary is built first.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
module=github.com/fhir-import/fhir-import/sdk/go

command -v go >/dev/null || { echo "go is missing: run scripts/sdk-tools.sh" >&2; exit 1; }
[ -d /usr/share/gocode/src/google.golang.org/grpc ] || {
  echo "Debian's Go libraries are missing: run scripts/sdk-tools.sh" >&2
  exit 1
}

if [ -z "${FHIR_IMPORT_BIN:-}" ]; then
  echo "== cargo build"
  cargo build -q
  FHIR_IMPORT_BIN=target/debug/fhir-import
fi
[ -x "$FHIR_IMPORT_BIN" ] || { echo "no server binary at $FHIR_IMPORT_BIN" >&2; exit 1; }
FHIR_IMPORT_BIN=$(realpath "$FHIR_IMPORT_BIN")
export FHIR_IMPORT_BIN

work=$PWD/target/sdk-go
mkdir -p "$work/gopath/src/$(dirname "$module")" "$work/cache"
ln -sfn "$PWD/sdk/go" "$work/gopath/src/$module"
export GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/cache"
export GOFLAGS= GOPROXY=off CGO_ENABLED=0

echo "== gofmt"
unformatted=$(gofmt -l sdk/go)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted (run gofmt -w):" >&2
  echo "$unformatted" >&2
  exit 1
fi

# Through the link, so that the go tool sees the package inside GOPATH.
cd "$work/gopath/src/$module"
echo "== go vet"
go vet ./...

echo "== go test against the real server ($FHIR_IMPORT_BIN)"
go test -count=1 -timeout 10m -v "$@" ./... 2>&1 | grep -v '^=== \(RUN\|PAUSE\|CONT\)'

echo "== sdk-go took $((SECONDS - start)) s"
