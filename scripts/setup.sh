#!/usr/bin/env bash
# `npm run setup`: everything plain `pulumi` needs in this checkout — the toolchain (bootstrap), the
# rehearsal backend's folder when that is the backend, and the two site stacks (dr-a, dr-b, or the
# names given as arguments) on the backend. Idempotent: a stack that exists on the
# backend is left as it is (its state and its stack file), so running it twice changes nothing.
#
# Backend and passphrase come from the environment as for every Pulumi invocation of the project
# (scripts/toolchain.env.sh): by default the repo-local rehearsal backend and its documented
# passphrase; for real deployments set PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE (or
# PULUMI_CONFIG_PASSPHRASE_FILE) first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
# shellcheck source=scripts/toolchain.env.sh
source "$ROOT/scripts/toolchain.env.sh"
cd "$ROOT"

log() { printf 'setup: %s\n' "$*" >&2; }

ensure_local_backend_dir

stacks=("$@")
[[ ${#stacks[@]} -gt 0 ]] || stacks=(dr-a dr-b)

# The stacks of this project already on the backend (`pulumi stack ls` lists only this project's).
existing="$(pulumi stack ls --json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    for (const st of JSON.parse(s)) console.log(String(st.name).split("/").pop());
  });')"

for stack in "${stacks[@]}"; do
  if grep -qxF "$stack" <<<"$existing"; then
    log "stack $stack exists on $PULUMI_BACKEND_URL (left as it is)"
  else
    # Without --no-select a later plain `pulumi up` could run on whichever stack was created last;
    # every command of the runbook names its stack with -s.
    pulumi stack init "$stack" --no-select >&2
    log "stack $stack created on $PULUMI_BACKEND_URL"
  fi
done
