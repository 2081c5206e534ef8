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

# psql as a superuser: through the local socket as 'postgres' (Debian's default peer auth), else over TCP as
# 'postgres' (trust auth, as on CI machines).
if id postgres >/dev/null 2>&1 && as_postgres psql -X -p "$DB_PORT" -tAq -c 'select 1' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then ADMIN_PSQL=(runuser -u postgres -- psql -p "$DB_PORT"); else ADMIN_PSQL=(sudo -u postgres psql -p "$DB_PORT"); fi
else
  ADMIN_PSQL=(psql -h "$DB_HOST" -p "$DB_PORT" -U postgres)
fi

server_version=$("${ADMIN_PSQL[@]}" -X -tAq -c 'show server_version_num')
if [ "$server_version" -lt 150000 ]; then
  log "PostgreSQL 15 or newer is required (found $server_version)"
  exit 1
fi

# The role and each database through deploy/db-roles.sh, as setup.sh does (one role here: it owns the databases):
# names quoted by psql, the password on psql's standard input. It reads a .env: a private temporary one; every value
# in double quotes, which the .env reader removes whole, so any value comes back as it is.
ENV_TMP=$(mktemp)
trap 'rm -f "$ENV_TMP"' EXIT
for db in "$DB_NAME" "$TEST_DB_NAME"; do
  printf 'DB_NAME="%s"\nDB_USER="%s"\nDB_PASSWORD="%s"\n' "$db" "$DB_USER" "$DB_PASSWORD" > "$ENV_TMP"
  "$(dirname "$0")/../db-roles.sh" --env-file "$ENV_TMP" -- "${ADMIN_PSQL[@]}" > /dev/null
done
# A development role may create databases: "bench" makes its own (tattile_bench, or --database) when it is missing.
echo 'ALTER ROLE :"role" CREATEDB;' | "${ADMIN_PSQL[@]}" -X -q -v ON_ERROR_STOP=1 -v role="$DB_USER" > /dev/null
log "role $DB_USER and databases $DB_NAME, $TEST_DB_NAME ready"
