#!/usr/bin/env bash
# Runs a command with the project's Pulumi toolchain and environment (scripts/toolchain.env.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/toolchain.env.sh"
cd "$ROOT"
exec "$@"
