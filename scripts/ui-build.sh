#!/usr/bin/env bash
# The dashboard (ui/, served at /ui from ui/dist, which the server embeds):
# installs the TypeScript SDK's packages and the dashboard's (npm ci, the
# versions their package-lock.json pin), builds the SDK, type-checks the
# dashboard, builds it into a temporary folder and fails when ui/dist is not
# byte for byte what that fresh build made. `--write` puts the fresh build
# in ui/dist instead (commit it).
set -euo pipefail
cd "$(dirname "$0")/.."

write=false
case "${1:-}" in
  --write) write=true ;;
  "") ;;
  *) echo "usage: scripts/ui-build.sh [--write]" >&2; exit 2 ;;
esac

echo "== the TypeScript SDK (sdk/typescript): npm ci, build"
(cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

echo "== the dashboard (ui): npm ci, type-check"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npx --no-install tsc --noEmit -p tsconfig.json)

fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
echo "== build"
(cd ui && node build.mjs "$fresh/dist")

if $write; then
  rm -rf ui/dist
  cp -R "$fresh/dist" ui/dist
  echo "ui/dist updated; commit it"
elif ! diff -r ui/dist "$fresh/dist" >/dev/null 2>&1; then
  echo "ui/dist is not what a fresh build of ui/ makes:" >&2
  diff -rq ui/dist "$fresh/dist" >&2 || true
  echo "run scripts/ui-build.sh --write and commit ui/dist" >&2
  exit 1
else
  echo "ui/dist matches a fresh build"
fi
