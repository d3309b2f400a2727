#!/usr/bin/env bash
# Backup and restore of RBM Flow's state: its database `rbm` (users, portfolio, values, report cycles
# and every rendered report file: the artifacts are bytea rows of `rbm`) and Temporal's `temporal` and
# `temporal_visibility` (the running cycles: what step each waits at, its decisions), each dumped with
# pg_dump -Fc, plus the outbox folders (RBM_OUT_DIR: the copies of the final reports delivered to the
# outbox channel), into one timestamped folder with a manifest (sizes, SHA-256).
set -euo pipefail
umask 077 # the dumps hold the users' password hashes and every report

usage() {
  cat <<'EOF'
Usage:
  deploy/backup-restore.sh backup  [CONNECTION] [--dir DIR] [--outbox PATH]...
  deploy/backup-restore.sh restore BACKUP [CONNECTION] [--outbox PATH]... [--force]
  deploy/backup-restore.sh verify  BACKUP

backup   dumps rbm, temporal and temporal_visibility (pg_dump -Fc), the roles (pg_dumpall --roles-only,
         roles.sql, not applied by restore) and each --outbox folder (a tar) into
         DIR/rbm-flow-YYYYMMDDTHHMMSSZ/ (DIR: ./backups), writes manifest.json (sizes, SHA-256, versions)
         and SHA256SUMS, and prints the folder on the last line. The three dumps are taken one after the
         other, each consistent in itself: for a backup consistent across them, stop the RBM Flow workers
         (or take it while no cycle moves); the web and the Temporal server may run.
restore  checks SHA256SUMS, then restores each database with pg_restore --clean --if-exists --create
         (dropped and created anew) and untars each outbox folder back where it was (or to the --outbox
         paths, in the order of the backup), then ANALYZEs.
         FIRST STOP THE TEMPORAL SERVER, EVERY RBM FLOW WORKER AND WEB PROCESS (and anything else
         connected to the three databases): a Temporal database restored under a running Temporal server
         is unsound (its shards keep state in memory and would overwrite the restored rows), and RBM
         Flow's processes would act on data that changes under them. restore refuses while sessions are
         connected to the databases; --force terminates them (only for clients you know are gone).
         Then start the Temporal server, then the workers and web processes: cycles that were waiting
         wait at the same step, completed reports are served byte for byte as before.
verify   checks SHA256SUMS and that each dump is a readable pg_dump archive (pg_restore --list).

The payload key is not in the backup, and must not be: keep RBM_PAYLOAD_KEYS / RBM_PAYLOAD_KEY_FILE
(compose: deploy/secrets/payload-keys; `rbm cluster`: DIR/payload-keys) and the Temporal certificates
with your secrets. A restored Temporal database is unreadable to RBM Flow without the key its payloads
were encrypted with.

CONNECTION (one of):
  --url postgres://USER:PASSWORD@HOST:PORT/DB   a role that may read all three databases (backup) and
                          create databases (restore): PostgreSQL's superuser. The database of the URL is
                          not used. Default: $DATABASE_URL. `rbm cluster` prints this address (its PostgreSQL
                          line; the password of the embedded PostgreSQL is rbm-local-only).
                          pg_dump, pg_restore and psql: $PG_BINDIR, else tools/bin (scripts/install-tools.sh
                          pg-client builds PostgreSQL 17's), else PATH; their major version must not be older
                          than the server's.
  --compose               docker compose: the tools of the `postgresql` service's own image, through
                          `docker compose exec -T postgresql ...` as POSTGRES_USER (default temporal); an
                          --outbox PATH is a path in the `rbm` service (its volume rbm-out is /var/lib/rbm/out),
                          read and written by tar in a one-off container of it (`docker compose run --rm
                          --no-deps -T --entrypoint tar rbm ...`), whether rbm runs or not.
                          Run it from the folder of docker-compose.yml (or set COMPOSE_FILE).

Examples:
  # npm run cluster / rbm cluster (its PostgreSQL line gives the port):
  deploy/backup-restore.sh backup --url postgres://rbm:rbm-local-only@127.0.0.1:5432/rbm \
      --outbox .rbm/cluster/worker-1/out --outbox .rbm/cluster/worker-2/out
  # docker compose:
  deploy/backup-restore.sh backup --compose --outbox /var/lib/rbm/out
  docker compose stop rbm temporal temporal-ui
  deploy/backup-restore.sh restore backups/rbm-flow-20250101T020000Z --compose
  docker compose up -d
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
DATABASES=(rbm temporal temporal_visibility)

die() { echo "backup-restore: $*" >&2; exit 1; }
say() { echo "backup-restore: $*" >&2; }

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  backup|restore|verify) ;;
  -h|--help|help|"") usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

backup_dir=""
if [ "$cmd" != backup ]; then
  [ $# -gt 0 ] && [ "${1#-}" = "$1" ] || die "$cmd: which backup folder?"
  backup_dir="$(cd "$1" 2>/dev/null && pwd)" || die "no folder $1"; shift
fi
url="${DATABASE_URL:-}"
compose=false
dir="./backups"
outboxes=()
force=false
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="${2:?--url URL}"; shift 2 ;;
    --compose) compose=true; shift ;;
    --dir) dir="${2:?--dir DIR}"; shift 2 ;;
    --outbox) outboxes+=("${2:?--outbox PATH}"); shift 2 ;;
    --force) force=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (--help)" ;;
  esac
done

sha256() { sha256sum "$1" | cut -d' ' -f1; }
bytes() { wc -c < "$1" | tr -d ' '; }
json_str() { local s="${1//\\/\\\\}"; s="${s//\"/\\\"}"; printf '"%s"' "$s"; }

# Only the files the manifest lists, by their SHA-256 (before anything is restored or trusted).
check_sums() {
  [ -f "$backup_dir/SHA256SUMS" ] || die "$backup_dir has no SHA256SUMS: not a backup of this script"
  (cd "$backup_dir" && sha256sum --quiet -c SHA256SUMS) || die "$backup_dir: a file does not match SHA256SUMS (nothing was restored)"
  local db
  for db in "${DATABASES[@]}"; do [ -f "$backup_dir/$db.dump" ] || die "$backup_dir has no $db.dump"; done
}

# --- the PostgreSQL tools: local (with a URL) or in the compose service -------------------------------
PG_USER="${POSTGRES_USER:-temporal}"
if $compose; then
  command -v docker >/dev/null 2>&1 || die "--compose: docker is not on PATH"
  # $1: the tool; the rest its arguments. stdin/stdout pass through (-T: no terminal).
  pg() { local tool="$1"; shift; docker compose exec -T postgresql "$tool" -U "$PG_USER" "$@"; }
  pg_version() { docker compose exec -T postgresql pg_dump --version; }
  # An outbox folder of the rbm service (its volume), as a tar on stdout / from stdin.
  outbox_out() { docker compose run --rm --no-deps -T --entrypoint tar rbm -C "$1" -cf - .; }
  outbox_in() { docker compose run --rm --no-deps -T --entrypoint sh rbm -c 'mkdir -p "$1" && exec tar -C "$1" -xf -' sh "$1"; }
  where="docker compose service postgresql (user $PG_USER)"
else
  tool_path() {
    local t="$1" c
    for c in ${PG_BINDIR:+"$PG_BINDIR/$t"} "${RBM_TOOLS_DIR:-$root/tools/bin}/$t"; do
      [ -x "$c" ] && { echo "$c"; return; }
    done
    command -v "$t" 2>/dev/null || true
  }
  PG_DUMP="$(tool_path pg_dump)"; PG_RESTORE="$(tool_path pg_restore)"; PSQL="$(tool_path psql)"
  PG_DUMPALL="$(dirname "$(readlink -f "${PG_DUMP:-/nonexistent}")")/pg_dumpall"
  [ -x "$PG_DUMPALL" ] || PG_DUMPALL="$(tool_path pg_dumpall)"
  if [ "$cmd" = verify ]; then
    [ -n "$PG_RESTORE" ] || die "pg_restore not found (bash scripts/install-tools.sh pg-client)"
  else
    [ -n "$url" ] || die "no connection: --url postgres://USER:PASSWORD@HOST:PORT/DB, DATABASE_URL, or --compose"
    [ -n "$PG_DUMP" ] && [ -n "$PG_RESTORE" ] && [ -n "$PSQL" ] || die "pg_dump, pg_restore and psql are needed: bash scripts/install-tools.sh pg-client (PostgreSQL 17's, into tools/bin)"
    re='^postgres(ql)?://([^:@/]*)(:([^@/]*))?@(\[[^]]+\]|[^:/?]+)(:([0-9]+))?(/[^?]*)?(\?.*)?$'
    [[ "$url" =~ $re ]] || die "--url: not a postgres://USER:PASSWORD@HOST:PORT/DB address"
    # Percent-decoding of the user and password (RFC 3986: "+" is a plus; a backslash is a backslash).
    decode() { local s="${1//\\/\\\\}"; printf '%b' "${s//%/\\x}"; }
    PGUSER="$(decode "${BASH_REMATCH[2]}")"; PGPASSWORD="$(decode "${BASH_REMATCH[4]}")"
    PGHOST="${BASH_REMATCH[5]}"; PGHOST="${PGHOST#[}"; PGHOST="${PGHOST%]}"; PGPORT="${BASH_REMATCH[7]:-5432}"
    export PGUSER PGPASSWORD PGHOST PGPORT
    # The URL's TLS parameters, as libpq reads them from the environment; any other parameter is refused
    # rather than silently dropped (a dropped sslmode=verify-full would send the password unverified).
    query="${BASH_REMATCH[9]#\?}"
    if [ -n "$query" ]; then
      IFS='&' read -r -a params <<< "$query"
      for kv in "${params[@]}"; do
        k="${kv%%=*}"; v="$(decode "${kv#*=}")"
        case "$k" in
          sslmode) export PGSSLMODE="$v" ;;
          sslrootcert) export PGSSLROOTCERT="$v" ;;
          sslcert) export PGSSLCERT="$v" ;;
          sslkey) export PGSSLKEY="$v" ;;
          *) die "--url: parameter $k is not supported (only sslmode, sslrootcert, sslcert, sslkey)" ;;
        esac
      done
    fi
    PG_USER="$PGUSER"
  fi
  pg() {
    local tool="$1"; shift
    case "$tool" in
      pg_dump) "$PG_DUMP" --no-password "$@" ;;
      pg_restore) "$PG_RESTORE" --no-password "$@" ;;
      pg_dumpall) "$PG_DUMPALL" --no-password "$@" ;;
      psql) "$PSQL" --no-password "$@" ;;
    esac
  }
  pg_version() { "$PG_DUMP" --version; }
  outbox_out() { tar -C "$1" -cf - .; }
  outbox_in() { mkdir -p "$1" && tar -C "$1" -xf -; }
  where="${PGUSER:-?}@${PGHOST:-?}:${PGPORT:-?}"
fi
sql() { pg psql -d "${2:-postgres}" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
major() { local v="$1"; echo "${v%%.*}"; }

# The client's major version must be the server's or newer (pg_dump refuses an older one anyway, later).
check_versions() {
  server_version="$(sql 'SHOW server_version' | awk '{print $1}')" || die "cannot reach PostgreSQL at $where"
  client_version="$(pg_version | awk '{print $3}')"
  if [ "$(major "$client_version")" -lt "$(major "$server_version")" ]; then
    die "pg_dump $client_version cannot dump PostgreSQL $server_version: bash scripts/install-tools.sh pg-client (or set PG_BINDIR)"
  fi
}

# ----------------------------------------------------------------------------------------------------
do_backup() {
  check_versions
  local db missing=()
  for db in "${DATABASES[@]}"; do
    [ "$(sql "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ] || missing+=("$db")
  done
  [ ${#missing[@]} -eq 0 ] || die "no database ${missing[*]} at $where"
  local stamp; stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$dir"
  local out; out="$(cd "$dir" && pwd)/rbm-flow-$stamp"
  [ -e "$out" ] && die "$out exists"
  local tmp="$out.partial"
  rm -rf "$tmp"; mkdir -p "$tmp"; chmod 700 "$tmp"
  local started; started="$(date +%s)"
  say "backing up ${DATABASES[*]} from PostgreSQL $server_version at $where (pg_dump $client_version) into $out"
  for db in "${DATABASES[@]}"; do
    pg pg_dump -Fc -d "$db" > "$tmp/$db.dump" || die "pg_dump of $db failed"
    pg pg_restore --list < "$tmp/$db.dump" > /dev/null || die "the dump of $db is not a readable archive"
    say "  $db: $(bytes "$tmp/$db.dump") bytes"
  done
  local roles=false
  if pg pg_dumpall --roles-only > "$tmp/roles.sql" 2>/dev/null; then roles=true; else rm -f "$tmp/roles.sql"; say "  roles: not dumped (pg_dumpall --roles-only needs a superuser); skipped"; fi
  local i=0 path saved=()
  : > "$tmp/outboxes.tsv"
  for path in "${outboxes[@]}"; do
    i=$((i + 1))
    # Local folders by their absolute path (restore puts them back there); compose: a path in the rbm service.
    if ! $compose; then path="$(cd "$path" && pwd)" || die "no outbox folder $path"; fi
    outbox_out "$path" > "$tmp/outbox-$i.tar" || die "archiving the outbox $path failed"
    printf 'outbox-%s.tar\t%s\n' "$i" "$path" >> "$tmp/outboxes.tsv"
    saved+=("$path")
    say "  outbox $path: $(bytes "$tmp/outbox-$i.tar") bytes"
  done
  # The manifest: what was backed up from where, each file's size and SHA-256.
  {
    printf '{\n  "created": %s,\n  "source": %s,\n  "server_version": %s,\n  "pg_dump": %s,\n' \
      "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(json_str "$where")" "$(json_str "$server_version")" "$(json_str "$client_version")"
    printf '  "databases": [\n'
    local sep=""
    for db in "${DATABASES[@]}"; do
      printf '%s    { "name": %s, "file": %s, "format": "custom", "bytes": %s, "sha256": %s }' "$sep" "$(json_str "$db")" "$(json_str "$db.dump")" "$(bytes "$tmp/$db.dump")" "$(json_str "$(sha256 "$tmp/$db.dump")")"
      sep=$',\n'
    done
    printf '\n  ],\n  "outboxes": [\n'
    sep=""; i=0
    for path in "${saved[@]}"; do
      i=$((i + 1))
      printf '%s    { "path": %s, "file": %s, "files": %s, "bytes": %s, "sha256": %s }' "$sep" "$(json_str "$path")" "$(json_str "outbox-$i.tar")" \
        "$(tar -tf "$tmp/outbox-$i.tar" | grep -vc '/$' || true)" "$(bytes "$tmp/outbox-$i.tar")" "$(json_str "$(sha256 "$tmp/outbox-$i.tar")")"
      sep=$',\n'
    done
    printf '\n  ],\n  "roles": %s\n}\n' "$($roles && printf '{ "file": "roles.sql", "bytes": %s, "sha256": %s }' "$(bytes "$tmp/roles.sql")" "$(json_str "$(sha256 "$tmp/roles.sql")")" || echo null)"
  } > "$tmp/manifest.json"
  (cd "$tmp" && sha256sum -- *.dump $(ls outbox-*.tar 2>/dev/null) $($roles && echo roles.sql) outboxes.tsv manifest.json > SHA256SUMS)
  mv "$tmp" "$out"
  say "done in $(( $(date +%s) - started )) s: $out"
  echo "$out"
}

do_verify() {
  check_sums
  local db
  for db in "${DATABASES[@]}"; do
    pg pg_restore --list < "$backup_dir/$db.dump" > /dev/null || die "$db.dump is not a readable pg_dump archive"
  done
  say "$backup_dir: every file matches SHA256SUMS; ${DATABASES[*]} are readable archives"
}

do_restore() {
  check_sums
  check_versions
  local list="'$(IFS=,; echo "${DATABASES[*]}" | sed "s/,/','/g")'"
  local who
  who="$(sql "SELECT datname || ': ' || coalesce(nullif(application_name, ''), '?') || ' from ' || coalesce(host(client_addr), 'local') || ' (pid ' || pid || ')' FROM pg_stat_activity WHERE datname IN ($list) AND pid <> pg_backend_pid() ORDER BY datname")"
  if [ -n "$who" ]; then
    if ! $force; then
      echo "$who" | sed 's/^/  /' >&2
      die "sessions are connected to the databases (above): stop the Temporal server and every RBM Flow worker and web process first (or --force to terminate these sessions)"
    fi
    say "terminating $(echo "$who" | wc -l) session(s) (--force)"
    sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ($list) AND pid <> pg_backend_pid()" > /dev/null
  fi
  local started db
  started="$(date +%s)"
  say "restoring ${DATABASES[*]} from $backup_dir into PostgreSQL $server_version at $where"
  for db in "${DATABASES[@]}"; do
    # --create with --clean: DROP DATABASE IF EXISTS, CREATE DATABASE (owner, encoding, settings), then the objects.
    pg pg_restore -d postgres --clean --if-exists --create --exit-on-error < "$backup_dir/$db.dump" || die "pg_restore of $db failed"
    sql "ANALYZE" "$db" > /dev/null
    say "  $db restored"
  done
  if [ -s "$backup_dir/outboxes.tsv" ]; then
    local i=0 file path
    while IFS=$'\t' read -r file path; do
      i=$((i + 1))
      [ ${#outboxes[@]} -ge $i ] && path="${outboxes[$((i - 1))]}"
      outbox_in "$path" < "$backup_dir/$file" || die "restoring the outbox $path failed"
      say "  outbox $path restored"
    done < "$backup_dir/outboxes.tsv"
  fi
  say "done in $(( $(date +%s) - started )) s. Now start the Temporal server, then the RBM Flow workers and web processes."
}

case "$cmd" in
  backup) do_backup ;;
  restore) do_restore ;;
  verify) do_verify ;;
esac
