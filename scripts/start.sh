#!/usr/bin/env bash
# `npm start`: the seed tutorial as a DR drill on an embedded es-sim pair (bin/ccr-dr drill).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -x "$ROOT/bin/ccr-dr" ]]; then
  exec bash "$ROOT/scripts/with-toolchain.sh" "$ROOT/bin/ccr-dr" drill "$@"
fi
# Until the drill exists, show that the toolchain it needs is in place.
echo "ccr-dr: the DR drill (bin/ccr-dr drill) is not built yet; toolchain ready:"
bash "$ROOT/scripts/with-toolchain.sh" pulumi version
