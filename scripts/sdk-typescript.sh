#!/usr/bin/env bash
# The TypeScript SDK (sdk/typescript): installs its pinned tools (`npm ci`:
# buf, protoc-gen-es, TypeScript), checks that the committed generated code
# is what `buf generate` (buf.gen.yaml) makes of proto/, type-checks and
# builds the package, then runs its tests (Node's test runner) against the
# real server. `--write` regenerates the code in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
sdk=sdk/typescript
generated=$sdk/src/gen

usage() { echo "usage: scripts/sdk-typescript.sh [--write]" >&2; exit 2; }
write=false
case "${1:-}" in
  "") ;;
  --write) write=true ;;
  *) usage ;;
esac
[ $# -le 1 ] || usage

echo "== npm ci ($sdk)"
(cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error)
buf=$sdk/node_modules/.bin/buf

if $write; then
  rm -rf "$generated"
  "$buf" generate
  echo "regenerated $generated"
  exit 0
fi

echo "== generated SDK code matches proto/ (buf generate)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$buf" generate -o "$work"
if ! diff -r "$work/$generated" "$generated"; then
  echo "generated SDK code is stale: run scripts/sdk-typescript.sh --write" >&2
  exit 1
fi

echo "== type-check and build"
(cd "$sdk" && npm run --silent build)

echo "== SDK tests against the real server"
cargo build -q
(cd "$sdk" && npm run --silent test)
