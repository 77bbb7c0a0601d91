# Sourced by the project's scripts: where the toolchain lives and the environment every Pulumi
# invocation of this project runs with. cli/toolchain.ts mirrors these values for Node code.
: "${ROOT:?ROOT must be set to the repository root}"

PULUMI_VERSION=3.248.0
# The Node.js language host module has no release tags and the proxy serves no pseudo-version of
# the v3.248.0 release commit; this is the newest one it serves (see scripts/toolchain/README.md).
LANGUAGE_HOST_VERSION=v3.0.0-20250806165243-bee5e4fa4815
GO_MIN_VERSION=1.25

# The CLI is built with the patches in scripts/toolchain/pulumi-cli/patches/ (see the README there);
# their name is part of the cache key, so that a cached unpatched build is never used.
PULUMI_PATCHES=group-commit-1

CCR_DR_CACHE="${CCR_DR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccr-dr}"
PULUMI_CACHE="$CCR_DR_CACHE/pulumi-v$PULUMI_VERSION-$PULUMI_PATCHES"
TOOLS_BIN="$ROOT/.tools/bin"
# The rehearsal backend: state in the checkout (git-ignored).
LOCAL_BACKEND_DIR="$ROOT/.pulumi-state"
LOCAL_PASSPHRASE=ccr-dr-local

export PATH="$TOOLS_BIN:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
# A missing plugin must fail at once instead of trying a download that cannot work offline.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Steps in flight at once. The patched CLI writes the state once for all mutations waiting, up to
# this many: with Pulumi's default (4 × CPUs) a failover of 1,000 pairs took 90 s, with 64 29 s
# (bench/README.md, "Linear cost").
export PULUMI_PARALLEL="${PULUMI_PARALLEL:-64}"
# The documented passphrase (README) is a default for the local rehearsal backend only: with a
# backend of your own (PULUMI_BACKEND_URL set) you set PULUMI_CONFIG_PASSPHRASE or
# PULUMI_CONFIG_PASSPHRASE_FILE yourself, and Pulumi asks for one when neither is set.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$LOCAL_BACKEND_DIR}"
if [[ "$PULUMI_BACKEND_URL" == "file://$LOCAL_BACKEND_DIR" && -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  export PULUMI_CONFIG_PASSPHRASE="$LOCAL_PASSPHRASE"
fi

# The file backend refuses to open a folder that does not exist; the rehearsal one is created on
# first use (a backend of your own is never created here).
ensure_local_backend_dir() {
  if [[ "$PULUMI_BACKEND_URL" == "file://$LOCAL_BACKEND_DIR" ]]; then mkdir -p "$LOCAL_BACKEND_DIR"; fi
}

# The S3-compatible object store of the shared-state tests and benchmarks: SeaweedFS (Apache-2.0),
# built from the Go module proxy by `bootstrap.sh --with-s3` (`npm test`, `npm run bench`), pinned
# by scripts/toolchain/seaweedfs/go.mod and cached like the Pulumi CLI. cli/toolchain.ts mirrors it.
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
SEAWEEDFS_GO_MIN_VERSION=1.26.6
SEAWEEDFS_CACHE="$CCR_DR_CACHE/seaweedfs-$SEAWEEDFS_VERSION"
