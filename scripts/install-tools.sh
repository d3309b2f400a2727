#!/usr/bin/env bash
# Installs the native tools the dev setup and tests use into ./tools/bin (git-ignored):
#   temporal  – Temporal CLI (its `server start-dev` is the dev server)
#   mailpit   – a real SMTP server with a web inbox and REST API, for the demo and tests
# A binary already on PATH or in ./tools/bin is reused. Both are built from the Go module proxy, so this
# works on machines that reach package registries but not GitHub releases. Needs Go >= 1.22.
# Usage: scripts/install-tools.sh [temporal|mailpit ...]   (default: both)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/tools/bin"
mkdir -p "$bin"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"   # later tags use replace directives: not go-installable
MAILPIT_VERSION="${MAILPIT_VERSION:-v1.27.11}"

# Built binaries are kept per version in the user's cache too, so that a fresh clone reuses them.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rbm-flow/tools"

install_one() {
  local name="$1" module="$2" version="$3"
  if [ -x "$bin/$name" ]; then echo "$name: reusing $bin/$name"; return; fi
  if command -v "$name" >/dev/null 2>&1; then
    ln -sf "$(command -v "$name")" "$bin/$name"; echo "$name: reusing $(command -v "$name")"; return
  fi
  local cached="$cache/$name-$version/$name"
  if [ ! -x "$cached" ]; then
    if ! command -v go >/dev/null 2>&1; then
      echo "$name: not found and Go is not installed; install Go >= 1.22 or put '$name' on PATH" >&2; return 1
    fi
    echo "$name: building $module@$version with Go (a few minutes the first time)..."
    mkdir -p "$(dirname "$cached")"
    GOBIN="$(dirname "$cached")" GOFLAGS="-trimpath" go install "$module@$version"
  fi
  cp "$cached" "$bin/$name"
  echo "$name: installed $bin/$name"
}

want=("$@"); [ ${#want[@]} -eq 0 ] && want=(temporal mailpit)
for t in "${want[@]}"; do
  case "$t" in
    temporal) install_one temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION" ;;
    mailpit)  install_one mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
