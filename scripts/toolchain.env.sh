# Sourced by the project's scripts: where the toolchain lives and the environment every Pulumi
# invocation of this project runs with. cli/toolchain.ts mirrors these values for Node code.
: "${ROOT:?ROOT must be set to the repository root}"

PULUMI_VERSION=3.248.0
# The Node.js language host module has no release tags and the proxy serves no pseudo-version of
# the v3.248.0 release commit; this is the newest one it serves (see scripts/toolchain/README.md).
LANGUAGE_HOST_VERSION=v3.0.0-20250806165243-bee5e4fa4815
GO_MIN_VERSION=1.25

CCR_DR_CACHE="${CCR_DR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccr-dr}"
PULUMI_CACHE="$CCR_DR_CACHE/pulumi-v$PULUMI_VERSION"
TOOLS_BIN="$ROOT/.tools/bin"

export PATH="$TOOLS_BIN:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
# A missing plugin must fail at once instead of trying a download that cannot work offline.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Local state by default; point PULUMI_BACKEND_URL elsewhere (e.g. s3://…) for real use.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
# The documented passphrase of the local backend (README). Real users set their own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-ccr-dr-local}"
