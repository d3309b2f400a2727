#!/bin/sh
# Creates Temporal's databases and brings their schemas up to date (idempotent: safe on every start).
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal "$@"; }
for db in temporal temporal_visibility; do
  tool --db "$db" create 2>/dev/null || echo "database $db exists"
done
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo "Temporal schemas are up to date"
