#!/usr/bin/env bash
# Makes sure a PostgreSQL (15 or newer) answers on DB_HOST:DB_PORT (default 127.0.0.1:5432) and that the
# application's role and databases exist: installs the Debian package if it is missing, starts the local
# cluster if it is down. Idempotent: safe to run any number of times.
#   DB_USER / DB_PASSWORD  application role (default tattile / tattile)
#   DB_NAME                application database (default tattile); tattile_test is created for the tests
set -euo pipefail

DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-5432}
DB_USER=${DB_USER:-tattile}
DB_PASSWORD=${DB_PASSWORD:-tattile}
DB_NAME=${DB_NAME:-tattile}
TEST_DB_NAME=${TEST_DB_NAME:-tattile_test}

log() { echo "[postgres.sh] $*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

answers() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$DB_HOST" -p "$DB_PORT"
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! answers; then
  log "PostgreSQL is not installed: installing the Debian package"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
fi

if ! answers; then
  if command -v pg_lsclusters >/dev/null 2>&1; then
    cluster=$(pg_lsclusters -h | awk -v port="$DB_PORT" '$3 == port {print $1" "$2; exit}')
    if [ -z "$cluster" ]; then
      version=$(ls /usr/lib/postgresql | sort -n | tail -1)
      log "creating cluster $version/main on port $DB_PORT"
      as_root pg_createcluster "$version" main --port "$DB_PORT" >/dev/null
      cluster="$version main"
    fi
    log "starting cluster $cluster"
    # shellcheck disable=SC2086
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster start || true
  fi
  for _ in $(seq 1 30); do
    answers && break
    sleep 1
  done
  answers || { log "PostgreSQL does not answer on $DB_HOST:$DB_PORT"; exit 1; }
fi

log "PostgreSQL answers on $DB_HOST:$DB_PORT"

# Run SQL as a superuser: through the local socket as 'postgres' (Debian's default peer auth),
# else over TCP as 'postgres' (trust auth, as on CI machines).
admin_psql() {
  if id postgres >/dev/null 2>&1 && as_postgres psql -p "$DB_PORT" -tAq -v ON_ERROR_STOP=1 -c 'select 1' >/dev/null 2>&1; then
    as_postgres psql -p "$DB_PORT" -tAq -v ON_ERROR_STOP=1 "$@"
  else
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -tAq -v ON_ERROR_STOP=1 "$@"
  fi
}

server_version=$(admin_psql -c 'show server_version_num')
if [ "$server_version" -lt 150000 ]; then
  log "PostgreSQL 15 or newer is required (found $server_version)"
  exit 1
fi

if [ "$(admin_psql -c "select 1 from pg_roles where rolname = '$DB_USER'")" != "1" ]; then
  log "creating role $DB_USER"
  admin_psql -c "create role \"$DB_USER\" login password '$DB_PASSWORD'"
else
  admin_psql -c "alter role \"$DB_USER\" login password '$DB_PASSWORD'"
fi

for db in "$DB_NAME" "$TEST_DB_NAME"; do
  if [ "$(admin_psql -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
    log "creating database $db"
    admin_psql -c "create database \"$db\" owner \"$DB_USER\""
  fi
done
log "role $DB_USER and databases $DB_NAME, $TEST_DB_NAME ready"
