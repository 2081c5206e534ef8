#!/usr/bin/env bash
# Creates or updates tattile-sender's PostgreSQL roles and database from its .env; deploy/setup.sh runs it, a manual
# install can too. Idempotent.
#
#   deploy/db-roles.sh --env-file FILE -- PSQL_AS_SUPERUSER...
#     e.g. deploy/db-roles.sh --env-file /etc/tattile-sender/.env -- runuser -u postgres -- psql -p 5432
#
# From the .env: DB_NAME, DB_USER and DB_PASSWORD (the service's role), DB_OWNER_USER and DB_OWNER_PASSWORD_FILE.
#  - DB_OWNER_USER empty: one role; DB_USER owns the database and migrates it (a new database is created owned by it).
#  - DB_OWNER_USER set: that login role, with the password on the first line of DB_OWNER_PASSWORD_FILE, owns the
#    database and what is in it: "db migrate" runs as it. Whatever DB_USER owned in the database (an install of the
#    one-role era) passes to the owner in one transaction, DB_USER keeping SELECT/INSERT/UPDATE/DELETE on the tables,
#    only SELECT/INSERT on audit_log and only SELECT on flyway_schema_history (what "db migrate" grants every time), so a
#    running service does not notice.
#    Neither role may be a superuser then (nothing is changed: a superuser could rewrite audit_log regardless).
# Passwords reach psql on its standard input, never on a command line; names are passed as psql variables and quoted
# by psql (:"name", :'name'), so quotes, spaces or ; in them are only text. The server is asked not to log these
# statements (they carry passwords).
set -euo pipefail
umask 077
LIB="$(dirname "$(readlink -f "$0")")/lib"
# shellcheck source=lib/envfile.sh
. "$LIB/envfile.sh"
# shellcheck source=lib/pg.sh
. "$LIB/pg.sh"

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; }
ENV_FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) ENV_FILE=$2; shift ;;
    --) shift; break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$ENV_FILE" ] && [ $# -gt 0 ] || { usage >&2; exit 2; }
[ -r "$ENV_FILE" ] || { echo "cannot read $ENV_FILE" >&2; exit 1; }
ADMIN_PSQL=("$@")

setting() { # KEY DEFAULT
  local v
  v=$(env_file_value "$ENV_FILE" "$1") || v=""
  printf '%s\n' "${v:-$2}"
}
DB_NAME=$(setting DB_NAME tattile)
DB_USER=$(setting DB_USER tattile)
DB_PASSWORD=$(setting DB_PASSWORD tattile)
DB_OWNER_USER=$(setting DB_OWNER_USER "")
DB_OWNER_PASSWORD_FILE=$(setting DB_OWNER_PASSWORD_FILE "")

OWNER=$DB_USER
TWO_ROLES=false
OWNER_PASSWORD=""
if [ -n "$DB_OWNER_USER" ]; then
  [ "$DB_OWNER_USER" != "$DB_USER" ] || { echo "DB_OWNER_USER must differ from DB_USER ($DB_USER)" >&2; exit 1; }
  [ -r "$DB_OWNER_PASSWORD_FILE" ] || { echo "DB_OWNER_USER is set: cannot read DB_OWNER_PASSWORD_FILE '$DB_OWNER_PASSWORD_FILE'" >&2; exit 1; }
  IFS= read -r OWNER_PASSWORD < "$DB_OWNER_PASSWORD_FILE" || true
  OWNER_PASSWORD=${OWNER_PASSWORD%$'\r'}
  [ -n "$OWNER_PASSWORD" ] || { echo "$DB_OWNER_PASSWORD_FILE is empty" >&2; exit 1; }
  OWNER=$DB_OWNER_USER
  TWO_ROLES=true
fi

psql_admin() { # ARGS: psql as the superuser, the script on stdin, stopping at the first error
  "${ADMIN_PSQL[@]}" -X -q -v ON_ERROR_STOP=1 -v service="$DB_USER" -v owner="$OWNER" -v db="$DB_NAME" -v two_roles="$TWO_ROLES" "$@"
}
# The statements that follow carry passwords: not into the server log, not even when one fails (settings only a
# superuser may change: an administrator role that is not one skips them).
no_logging() {
  cat <<'SQL'
SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user \gset admin_
\if :admin_superuser
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
\endif
SQL
}

# 1. Roles and database, connected to the maintenance database. Secrets: psql variables set on stdin (builtins only).
{
  no_logging
  printf '\\set service_password %s\n' "$(psql_meta_literal "$DB_PASSWORD")"
  printf '\\set owner_password %s\n' "$(psql_meta_literal "$OWNER_PASSWORD")"
  cat <<'SQL'
\if :two_roles
SELECT coalesce(bool_or(rolsuper), false) AS super FROM pg_roles WHERE rolname IN (:'service', :'owner') \gset roles_
\if :roles_super
DO $$ BEGIN RAISE EXCEPTION 'DB_USER or DB_OWNER_USER is a superuser: with two roles both must be ordinary roles (a superuser can rewrite audit_log; the owner needs only to own the database)'; END $$;
\endif
\endif
SELECT count(*) = 1 AS exists FROM pg_roles WHERE rolname = :'service' \gset service_
\if :service_exists
ALTER ROLE :"service" WITH LOGIN PASSWORD :'service_password';
\else
CREATE ROLE :"service" WITH LOGIN PASSWORD :'service_password';
\endif
\if :two_roles
SELECT count(*) = 1 AS exists FROM pg_roles WHERE rolname = :'owner' \gset owner_
\if :owner_exists
ALTER ROLE :"owner" WITH LOGIN PASSWORD :'owner_password';
\else
CREATE ROLE :"owner" WITH LOGIN PASSWORD :'owner_password';
\endif
\endif
SELECT count(*) = 1 AS exists FROM pg_database WHERE datname = :'db' \gset db_
\if :db_exists
\if :two_roles
ALTER DATABASE :"db" OWNER TO :"owner";
\endif
\else
CREATE DATABASE :"db" OWNER :"owner";
\endif
SQL
} | psql_admin -d postgres
echo "[db-roles] role $DB_USER$($TWO_ROLES && echo ", owner role $OWNER") and database $DB_NAME (owned by $OWNER) ready"
$TWO_ROLES || exit 0

# 2. Inside the database: everything the service role still owns there passes to the owner.
psql_admin -d "dbname=$(pg_conninfo_value "$DB_NAME")" <<'SQL'
BEGIN;
SELECT oid AS oid FROM pg_roles WHERE rolname = :'service' \gset service_
SELECT count(*) AS owned FROM pg_shdepend
 WHERE deptype = 'o' AND refobjid = :service_oid AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \gset service_
-- REASSIGN OWNED moves, besides what the role owns in this database, the databases and tablespaces it owns anywhere
-- on the server: those are noted first and given back.
CREATE TEMP TABLE kept_databases ON COMMIT DROP AS
  SELECT datname FROM pg_database WHERE datdba = :service_oid AND datname <> current_database();
CREATE TEMP TABLE kept_tablespaces ON COMMIT DROP AS SELECT spcname FROM pg_tablespace WHERE spcowner = :service_oid;
REASSIGN OWNED BY :"service" TO :"owner";
SELECT format('ALTER DATABASE %I OWNER TO %I', datname, :'service') FROM kept_databases \gexec
SELECT format('ALTER TABLESPACE %I OWNER TO %I', spcname, :'service') FROM kept_tablespaces \gexec
-- Only the owner creates objects here (PUBLIC may, in schema public, before PostgreSQL 15).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
SELECT :service_owned > 0 AS moved \gset
\if :moved
-- The service role just lost its tables: the privileges "db migrate" grants (and grants again right after).
GRANT USAGE ON SCHEMA public TO :"service";
SELECT format('GRANT %s ON TABLE %I.%I TO %I',
              CASE c.relname WHEN 'audit_log' THEN 'SELECT, INSERT' WHEN 'flyway_schema_history' THEN 'SELECT'
                             ELSE 'SELECT, INSERT, UPDATE, DELETE' END,
              n.nspname, c.relname, :'service')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \gexec
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"service";
\echo [db-roles] moved :service_owned objects of :service to :owner
\endif
COMMIT;
SQL
