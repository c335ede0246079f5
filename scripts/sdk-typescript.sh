#!/usr/bin/env bash
# The TypeScript SDK (sdk/typescript): type-checks and builds the package,
# then runs its tests (Node's test runner) against the real server. Its
# packages come from scripts/sdk-tools.sh, its generated code from
# scripts/sdk-generate.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
sdk=sdk/typescript

echo "== type-check and build"
(cd "$sdk" && npm run --silent build)

echo "== SDK tests against the real server"
cargo build -q
(cd "$sdk" && npm run --silent test)
