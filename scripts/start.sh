#!/usr/bin/env bash
# `npm start`: the seed tutorial as a DR drill on an embedded es-sim pair (bin/ccr-dr drill).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/scripts/with-toolchain.sh" "$ROOT/bin/ccr-dr" drill "$@"
