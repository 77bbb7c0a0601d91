#!/usr/bin/env bash
# Installs everything ccr-dr needs, offline-safe: npm packages and a Pulumi CLI built from the
# Go module proxy (no Pulumi release can be downloaded on our machines). Idempotent; quiet and
# fast (< 5 s) when nothing is missing. Run automatically before `npm start` and `npm test`.
#
# Usage: bootstrap.sh [--with-s3]
#   --with-s3      also build the S3-compatible object store (SeaweedFS) the shared-state tests and
#                  benchmarks run (`npm test` and `npm run bench` pass it; operators never need it).
#
# Environment:
#   CCR_DR_CACHE   where built binaries are kept, keyed by version (default ~/.cache/ccr-dr);
#                  shared by every clone on the machine, so a second clone does not rebuild.
#   CCR_DR_PULUMI  "build" to ignore a `pulumi` found on PATH and use the self-built one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/toolchain.env.sh
source "$ROOT/scripts/toolchain.env.sh"

log() { printf 'bootstrap: %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f s", e - s }'; }
die() { log "error: $*"; exit 1; }

with_s3=""
for arg in "$@"; do
  case "$arg" in
    --with-s3) with_s3=1 ;;
    *) die "unknown option $arg (usage: bootstrap.sh [--with-s3])" ;;
  esac
done

# --- npm packages ------------------------------------------------------------------------------
npm_stamp="$ROOT/node_modules/.package-lock.json"
if [[ ! -f "$npm_stamp" || "$ROOT/package-lock.json" -nt "$npm_stamp" ]]; then
  t=$(now); log "installing npm packages (npm ci)…"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
  log "npm ci done in $(since "$t")"
fi

# --- Pulumi CLI + Node.js language host --------------------------------------------------------
# version_of BIN → "3.248.0" (empty when BIN does not run)
version_of() { "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1; }
# at_least A B → true when version A >= version B
at_least() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]; }

go_build() { # go_build WRAPPER_DIR OUTPUT PACKAGE PULUMI_VERSION_STAMP TAGS (stamp may be empty)
  local wrapper="$1" out="$2" pkg="$3" stamp="$4" tags="$5" t ldflags="-s -w"
  [[ -z "$stamp" ]] || ldflags+=" -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$stamp"
  t=$(now); log "building $(basename "$out") ($pkg) with $(go version | cut -d' ' -f3)…"
  (cd "$wrapper" && CGO_ENABLED=0 GOFLAGS=-mod=readonly \
    GONOSUMDB="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs" \
    go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out.tmp" "$pkg")
  mv -f "$out.tmp" "$out"
  log "built $out in $(since "$t") ($(du -h "$out" | cut -f1))"
}

# build_patched_cli OUTPUT: the CLI from pkg/v3@v$PULUMI_VERSION (downloaded and verified against the
# wrapper's go.sum) with scripts/toolchain/pulumi-cli/patches/*.patch applied, through a `replace`
# of pkg/v3 by the patched copy in a temporary folder.
build_patched_cli() {
  local out="$1" wrapper="$ROOT/scripts/toolchain/pulumi-cli" work src p
  work="$(mktemp -d)"
  src="$(cd "$wrapper" && GOFLAGS=-mod=readonly go mod download -json github.com/pulumi/pulumi/pkg/v3 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || die "could not download github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION"
  cp -R "$src" "$work/pkg" && chmod -R u+w "$work/pkg"
  for p in "$wrapper"/patches/*.patch; do
    (cd "$work/pkg" && git apply -p1 "$p") || die "patch $(basename "$p") does not apply to pkg/v3@v$PULUMI_VERSION"
  done
  mkdir "$work/cli" && cp "$wrapper/go.mod" "$wrapper/go.sum" "$wrapper/tools.go" "$work/cli/"
  (cd "$work/cli" && go mod edit -replace "github.com/pulumi/pulumi/pkg/v3=$work/pkg")
  go_build "$work/cli" "$out" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "v$PULUMI_VERSION" osusergo
  rm -rf "$work"
}

have_go() { # have_go [MIN_VERSION]
  command -v go >/dev/null 2>&1 || return 1
  local v; v="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  at_least "${v:-0}" "${1:-$GO_MIN_VERSION}"
}

ambient=""
if [[ "${CCR_DR_PULUMI:-}" != "build" ]]; then
  # A pulumi already installed (outside our tools folder) is used when it is new enough.
  candidate="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$TOOLS_BIN" | paste -sd:)" command -v pulumi || true)"
  if [[ -n "$candidate" ]] && at_least "$(version_of "$candidate")" "$PULUMI_VERSION"; then
    ambient="$candidate"
  fi
fi

mkdir -p "$TOOLS_BIN"
if [[ -n "$ambient" ]]; then
  # Correct, but without the group-commit patch: one whole-state write per step, so a failover's
  # time grows with the square of the index pairs (bench/README.md). CCR_DR_PULUMI=build avoids it.
  [[ -L "$TOOLS_BIN/pulumi" && "$(readlink "$TOOLS_BIN/pulumi")" == "$ambient" ]] ||
    log "using $ambient (unpatched: state writes one per step; CCR_DR_PULUMI=build builds the patched CLI)"
  ln -sfn "$ambient" "$TOOLS_BIN/pulumi"
  for plugin in pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do
    [[ -x "$(dirname "$ambient")/$plugin" ]] && ln -sfn "$(dirname "$ambient")/$plugin" "$TOOLS_BIN/$plugin"
  done
else
  cli="$PULUMI_CACHE/bin/pulumi" host="$PULUMI_CACHE/bin/pulumi-language-nodejs"
  if [[ ! -x "$cli" || ! -x "$host" ]]; then
    have_go || die "no Pulumi CLI >= v$PULUMI_VERSION on PATH and no Go >= $GO_MIN_VERSION to build one.
  Install either Go >= $GO_MIN_VERSION (https://go.dev/dl/, or your distribution's golang package)
  or the Pulumi CLI >= v$PULUMI_VERSION, then run: npm run bootstrap"
    mkdir -p "$PULUMI_CACHE/bin"
    t0=$(now)
    [[ -x "$cli" ]] || build_patched_cli "$cli"
    [[ -x "$host" ]] || go_build "$ROOT/scripts/toolchain/pulumi-language-nodejs" "$host" \
      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$LANGUAGE_HOST_VERSION" grpcnotrace
    log "Pulumi toolchain ready in $(since "$t0") under $PULUMI_CACHE"
  fi
  # The CLI finds bundled plugins next to its own (symlink-resolved) executable, so the
  # dynamic-provider shim shipped in @pulumi/pulumi is copied beside it, not only linked here —
  # with one change: node preloads scripts/toolchain/dynamic-provider-preload.js (copied beside it),
  # which takes ~0.5 s of CPU off the provider's start in every `pulumi up` (bench/README.md). If the
  # shim's launch line ever changes, it is installed unchanged.
  shim="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  launch='node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@'
  preloaded='node --require "$(dirname "$(readlink -f "$0")")/dynamic-provider-preload.js" "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@'
  body="$(cat "$shim")"
  if [[ "$body" == *"$launch"* ]]; then
    body="${body/"$launch"/"$preloaded"}"
    body="${body/#'#!/bin/sh'/$'#!/bin/sh\n# @pulumi/pulumi\'s shim, installed by ccr-dr\'s scripts/bootstrap.sh with a --require of dynamic-provider-preload.js.'}"
  else
    log "warning: unexpected launch line in $shim; installing it without the start-up preload"
  fi
  preload="$ROOT/scripts/toolchain/dynamic-provider-preload.js"
  if ! cmp -s "$preload" "$PULUMI_CACHE/bin/dynamic-provider-preload.js"; then
    install -m 0644 "$preload" "$PULUMI_CACHE/bin/dynamic-provider-preload.js"
  fi
  if [[ "$(cat "$PULUMI_CACHE/bin/pulumi-resource-pulumi-nodejs" 2>/dev/null)" != "$body" ]]; then
    printf '%s\n' "$body" > "$PULUMI_CACHE/bin/pulumi-resource-pulumi-nodejs.tmp"
    chmod 0755 "$PULUMI_CACHE/bin/pulumi-resource-pulumi-nodejs.tmp"
    mv -f "$PULUMI_CACHE/bin/pulumi-resource-pulumi-nodejs.tmp" "$PULUMI_CACHE/bin/pulumi-resource-pulumi-nodejs"
  fi
  for bin in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do
    ln -sfn "$PULUMI_CACHE/bin/$bin" "$TOOLS_BIN/$bin"
  done
fi

# --- the S3-compatible object store of the shared-state tests (--with-s3) ---------------------------
# SeaweedFS's `weed` (master, volume server, filer and S3 gateway in one process): a real object
# store, run by test/integration/state/ and `npm run bench -- --only state-s3` on 127.0.0.1 only.
# Built once per machine (about 7 minutes of CPU, ~4 min on an idle 2-core machine: scripts/toolchain/README.md),
# never downloaded when a test runs.
if [[ -n "$with_s3" ]]; then
  weed="$SEAWEEDFS_CACHE/bin/weed"
  if [[ ! -x "$weed" ]]; then
    grep -q "github.com/seaweedfs/seaweedfs $SEAWEEDFS_VERSION" "$ROOT/scripts/toolchain/seaweedfs/go.mod" ||
      die "scripts/toolchain/seaweedfs/go.mod does not pin SEAWEEDFS_VERSION=$SEAWEEDFS_VERSION (scripts/toolchain.env.sh): make them agree"
    have_go "$SEAWEEDFS_GO_MIN_VERSION" || die "building the S3 test server (SeaweedFS) needs Go >= $SEAWEEDFS_GO_MIN_VERSION.
  Install it (https://go.dev/dl/, or your distribution's golang package), then run: npm run bootstrap -- --with-s3"
    mkdir -p "$SEAWEEDFS_CACHE/bin"
    go_build "$ROOT/scripts/toolchain/seaweedfs" "$weed" github.com/seaweedfs/seaweedfs/weed "" ""
  fi
  ln -sfn "$weed" "$TOOLS_BIN/weed"
fi

# --- the program's compiled JavaScript -----------------------------------------------------------
# `pulumi up` runs index.ts through loader.js, which compiles each module once and caches it by a
# hash of its source (never stale). Filling the cache here keeps the first `pulumi up` after an
# edit fast; when nothing changed this only hashes the sources (~0.1 s). A failure (e.g. a file
# being edited) is not fatal: the program compiles what it needs when it runs.
if out="$(node "$ROOT/loader.js" --warm 2>&1)"; then
  [[ -z "$out" ]] || log "$out"
else
  log "warning: could not pre-compile the program (it is compiled when pulumi runs it): $out"
fi
