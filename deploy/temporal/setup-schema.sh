#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to date with Temporal's own
# `temporal-sql-tool` (create-database, setup-schema -v 0.0, update-schema -d <versioned dir>).
# Idempotent: safe on every start. Run by the compose deployment (the temporal-admin-tools container,
# where this folder is /scripts) and by `npm run cluster` (runtime/cluster/) with the same schema files.
#
# Environment (the sql tool reads the SQL_* variables itself):
#   SQL_HOST (postgresql), SQL_PORT (5432), SQL_USER (temporal), SQL_PASSWORD (required),
#   SQL_PLUGIN (postgres12), TEMPORAL_DB (temporal), TEMPORAL_VISIBILITY_DB (temporal_visibility),
#   TEMPORAL_SQL_TOOL (temporal-sql-tool on PATH), SCHEMA_DIR (the schema/postgresql/v12 folder beside this file)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
: "${SQL_HOST:=postgresql}" "${SQL_PORT:=5432}" "${SQL_USER:=temporal}" "${SQL_PLUGIN:=postgres12}"
: "${SQL_PASSWORD:?set SQL_PASSWORD (the PostgreSQL password of SQL_USER)}"
: "${TEMPORAL_DB:=temporal}" "${TEMPORAL_VISIBILITY_DB:=temporal_visibility}"
: "${TEMPORAL_SQL_TOOL:=temporal-sql-tool}" "${SCHEMA_DIR:=$here/schema/postgresql/v12}"
export SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD SQL_PLUGIN

for dir in "$SCHEMA_DIR/temporal/versioned" "$SCHEMA_DIR/visibility/versioned"; do
  [ -d "$dir" ] || { echo "setup-schema: no schema folder $dir" >&2; exit 2; }
done

setup() { # database, versioned schema folder
  db="$1"; dir="$2"
  # create-database fails when the database exists: that is fine, any other failure is not.
  if ! out="$("$TEMPORAL_SQL_TOOL" --db "$db" create-database 2>&1)"; then
    case "$out" in
      *"already exists"*) echo "database $db exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  else
    echo "created database $db"
  fi
  "$TEMPORAL_SQL_TOOL" --db "$db" setup-schema -v 0.0
  "$TEMPORAL_SQL_TOOL" --db "$db" update-schema -d "$dir"
}

setup "$TEMPORAL_DB" "$SCHEMA_DIR/temporal/versioned"
setup "$TEMPORAL_VISIBILITY_DB" "$SCHEMA_DIR/visibility/versioned"
echo "Temporal schemas are up to date ($TEMPORAL_DB, $TEMPORAL_VISIBILITY_DB on $SQL_HOST:$SQL_PORT)"
