#!/usr/bin/env bash
# `npm test`: typecheck, lint (eslint, prettier --check), then every jest suite serially (2-core
# machines; integration tests spawn real processes). Extra arguments go to jest, e.g.
# `npm test -- test/unit`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "typecheck: tsc --noEmit"
npx tsc --noEmit -p tsconfig.json
echo "lint: eslint + prettier --check (npm run format fixes most findings)"
npm run --silent lint
exec bash scripts/with-toolchain.sh npx jest --runInBand "$@"
