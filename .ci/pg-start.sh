#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 and makes the kassa role and database (idempotent).
set -euo pipefail
pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
as_postgres() { su postgres -c "$1"; }
as_postgres "psql -v ON_ERROR_STOP=0 -q -c \"create role kassa login superuser password 'kassa'\"" 2>&1 | grep -v 'already exists' || true
as_postgres "createdb -O kassa kassa" 2>&1 | grep -v 'already exists' || true
