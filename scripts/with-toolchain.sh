#!/usr/bin/env bash
# Runs a command with the project's Pulumi toolchain and environment (scripts/toolchain.env.sh):
# `pulumi` on PATH, no update check, no plugin downloads, the backend (PULUMI_BACKEND_URL, default
# the repo-local rehearsal backend, created here when missing) and, for that backend only, its
# passphrase. `npm run setup` creates the two site stacks once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/toolchain.env.sh"
ensure_local_backend_dir
cd "$ROOT"
exec "$@"
