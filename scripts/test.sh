#!/usr/bin/env bash
# `npm test`: typecheck, then every jest suite serially (2-core machines; integration tests spawn
# real processes). Extra arguments go to jest, e.g. `npm test -- test/unit`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "typecheck: tsc --noEmit"
npx tsc --noEmit -p tsconfig.json
exec bash scripts/with-toolchain.sh npx jest --runInBand "$@"
