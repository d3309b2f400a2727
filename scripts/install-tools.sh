#!/usr/bin/env bash
# Installs the native tools the dev setup and tests use into ./tools/bin (git-ignored; RBM_TOOLS_DIR):
#   temporal  – Temporal CLI (its `server start-dev` is the dev server)
#   mailpit   – a real SMTP server with a web inbox and REST API, for the demo and tests
#   temporal-server – the production Temporal server (temporal-server) and its SQL schema tool
#             (temporal-sql-tool), for `npm run cluster` and the topology specs; not in the default set
# A binary already on PATH or in ./tools/bin is reused. Both are built from the Go module proxy, so this
# works on machines that reach package registries but not GitHub releases. Needs Go >= 1.22.
# `npm run demo`, `npm start` and `npm test` run this themselves when a tool is missing (runtime/tools.ts).
# Usage: scripts/install-tools.sh [--plan] [temporal|mailpit|temporal-server ...]   (default: temporal mailpit)
#   --plan  installs nothing; prints one line per tool: "NAME present PATH", "NAME cached PATH",
#           "NAME build MODULE@VERSION CACHE_DIR" or "NAME no-go MODULE@VERSION" (Go missing or older than 1.22)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${RBM_TOOLS_DIR:-$root/tools/bin}"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"   # later tags use replace directives: not go-installable
MAILPIT_VERSION="${MAILPIT_VERSION:-v1.27.11}"
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"  # deploy/temporal/ follows its schema and config

# Built binaries are kept per version in the user's cache too, so that a fresh clone reuses them.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rbm-flow/tools"

plan=false
if [ "${1:-}" = "--plan" ]; then plan=true; shift; fi
$plan || mkdir -p "$bin"

# Go >= 1.22 on PATH?
go_ok() {
  command -v go >/dev/null 2>&1 || return 1
  local v; v="$(go env GOVERSION 2>/dev/null || true)"; v="${v#go}"
  local major="${v%%.*}" rest="${v#*.}"; local minor="${rest%%[!0-9]*}"
  [ -n "$major" ] && [ -n "$minor" ] && { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 22 ]; }; }
}

install_one() {
  local name="$1" module="$2" version="$3"
  local cached="$cache/$name-$version/$name"
  if $plan; then
    if [ -x "$bin/$name" ]; then echo "$name present $bin/$name"
    elif command -v "$name" >/dev/null 2>&1; then echo "$name present $(command -v "$name")"
    elif [ -x "$cached" ]; then echo "$name cached $cached"
    elif go_ok; then echo "$name build $module@$version $(dirname "$cached")"
    else echo "$name no-go $module@$version"; fi
    return
  fi
  if [ -x "$bin/$name" ]; then echo "$name: reusing $bin/$name"; return; fi
  if command -v "$name" >/dev/null 2>&1; then
    ln -sf "$(command -v "$name")" "$bin/$name"; echo "$name: reusing $(command -v "$name")"; return
  fi
  if [ ! -x "$cached" ]; then
    if ! go_ok; then
      echo "$name: not found and Go >= 1.22 is not installed; install Go >= 1.22 (https://go.dev/dl/) or put '$name' on PATH" >&2; return 1
    fi
    echo "$name: building $module@$version with Go (a few minutes the first time)..."
    mkdir -p "$(dirname "$cached")"
    GOBIN="$(dirname "$cached")" GOFLAGS="-trimpath" go install "$module@$version"
  fi
  # Copied under a temporary name, then renamed: a second install running at once never sees half a file.
  cp "$cached" "$bin/.$name.$$"
  mv -f "$bin/.$name.$$" "$bin/$name"
  echo "$name: installed $bin/$name"
}

# The Temporal server and its sql tool come from one module version, built by one `go install` (~4 min)
# into "$cache/temporal-server-VERSION/" and installed as temporal-server and temporal-sql-tool. Both
# binaries are copied; a binary on PATH is not reused, its version must match deploy/temporal/.
install_temporal_server() {
  local version="$TEMPORAL_SERVER_VERSION" module=go.temporal.io/server
  local dir="$cache/temporal-server-$version"
  if $plan; then
    if [ -x "$bin/temporal-server" ] && [ -x "$bin/temporal-sql-tool" ] && [ "$(cat "$bin/.temporal-server.version" 2>/dev/null)" = "$version" ]; then
      echo "temporal-server present $bin/temporal-server"
    elif [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; then echo "temporal-server cached $dir/temporal-server"
    elif go_ok; then echo "temporal-server build $module@$version $dir"
    else echo "temporal-server no-go $module@$version"; fi
    return
  fi
  if [ -x "$bin/temporal-server" ] && [ -x "$bin/temporal-sql-tool" ] && [ "$(cat "$bin/.temporal-server.version" 2>/dev/null)" = "$version" ]; then
    echo "temporal-server: reusing $bin/temporal-server ($version)"; return
  fi
  if [ ! -x "$dir/temporal-server" ] || [ ! -x "$dir/temporal-sql-tool" ]; then
    if ! go_ok; then
      echo "temporal-server: not built and Go >= 1.22 is not installed; install Go >= 1.22 (https://go.dev/dl/)" >&2; return 1
    fi
    echo "temporal-server: building $module/cmd/server and cmd/tools/sql @$version with Go (about 4 minutes the first time)..."
    local tmp; tmp="$(mktemp -d "${dir}.build.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "${dir}.build.XXXXXX"; })"
    GOBIN="$tmp" GOFLAGS="-trimpath" go install "$module/cmd/server@$version" "$module/cmd/tools/sql@$version"
    mkdir -p "$dir"
    mv -f "$tmp/server" "$dir/temporal-server"
    mv -f "$tmp/sql" "$dir/temporal-sql-tool"
    rmdir "$tmp" 2>/dev/null || true
  fi
  local b
  for b in temporal-server temporal-sql-tool; do
    cp "$dir/$b" "$bin/.$b.$$"; mv -f "$bin/.$b.$$" "$bin/$b"
  done
  echo "$version" > "$bin/.temporal-server.version"
  echo "temporal-server: installed $bin/temporal-server and $bin/temporal-sql-tool ($version)"
}

want=("$@"); [ ${#want[@]} -eq 0 ] && want=(temporal mailpit)
for t in "${want[@]}"; do
  case "$t" in
    temporal) install_one temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION" ;;
    mailpit)  install_one mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" ;;
    temporal-server) install_temporal_server ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
