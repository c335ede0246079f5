#!/usr/bin/env bash
# The SDKs' generated code: checks that what is committed under sdk/ is what
# `buf generate` (buf.gen.yaml: every plugin, every output directory) makes
# of proto/; `--write` regenerates it in place instead. Needs the tools of
# scripts/sdk-tools.sh. (The Python SDK keeps its pinned grpcio-tools:
# scripts/sdk-python.sh; the Rust client generates at build time.)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/sdk-generate.sh [--write]" >&2; exit 2; }
write=false
case "${1:-}" in
  "") ;;
  --write) write=true ;;
  *) usage ;;
esac
[ $# -le 1 ] || usage

buf=sdk/typescript/node_modules/.bin/buf
[ -x "$buf" ] || { echo "$buf is missing: run scripts/sdk-tools.sh" >&2; exit 1; }
outputs=$(sed -n 's/^ *out: *//p' buf.gen.yaml | sort -u)

if $write; then
  for out in $outputs; do rm -rf "$out"; done
  "$buf" generate
  echo "regenerated:" $outputs
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$buf" generate -o "$work"
stale=false
for out in $outputs; do
  if ! diff -r "$work/$out" "$out"; then
    stale=true
  fi
done
if $stale; then
  echo "generated SDK code is stale: run scripts/sdk-generate.sh --write" >&2
  exit 1
fi
echo "generated code is current:" $outputs
