#!/usr/bin/env bash
# Installs or upgrades tattile-sender on Debian/Ubuntu: JDK and PostgreSQL if missing, the service
# user, folders, /etc/tattile-sender/.env (an existing one is kept), the role and database, the jar
# under /opt/tattile-sender (the previous one kept for rollback), migrations, and the systemd unit.
# Idempotent: running it again upgrades the jar and keeps the data.
#
#   sudo deploy/setup.sh [--jar PATH] [--dry-run]
#
# --dry-run prints every action it would take, changes nothing, and needs no root.
set -euo pipefail
cd "$(dirname "$0")/.."

DRY_RUN=false
JAR=target/tattile-sender.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --jar) JAR=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

APP_USER=tattile
OPT=/opt/tattile-sender
ETC=/etc/tattile-sender
VAR=/var/lib/tattile-sender
ENV_FILE=$ETC/.env
UNIT=/etc/systemd/system/tattile-sender.service

say() { echo "[setup] $*"; }
# Every change goes through run: printed in --dry-run, executed otherwise.
run() {
  if $DRY_RUN; then echo "WOULD: $*"; else "$@"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }

if ! $DRY_RUN && [ "$(id -u)" != 0 ]; then
  echo "run as root (sudo deploy/setup.sh), or with --dry-run to see the plan" >&2
  exit 1
fi

# 1. The jar: build it when missing and a source tree is here.
if [ ! -f "$JAR" ]; then
  if [ -x ./mvnw ]; then
    say "building $JAR"
    run ./mvnw -B -q package -DskipTests
  else
    echo "jar not found: $JAR" >&2
    exit 1
  fi
fi

# 2. Packages.
java_major() { java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'; }
if ! have java || [ "$(java_major)" -lt 17 ]; then
  say "installing a Java 17 runtime"
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless
else
  say "Java $(java_major) present"
fi
if ! have pg_ctlcluster && ! have psql; then
  say "installing PostgreSQL"
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client
else
  say "PostgreSQL present"
fi
if have systemctl && [ -d /run/systemd/system ]; then
  run systemctl enable --now postgresql
elif have pg_ctlcluster; then
  for c in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do
    run pg_ctlcluster --skip-systemctl-redirect "${c%/*}" "${c#*/}" start || true
  done
fi

# 3. User and folders.
if id "$APP_USER" >/dev/null 2>&1; then
  say "user $APP_USER present"
else
  run useradd --system --home-dir "$VAR" --shell /usr/sbin/nologin --user-group "$APP_USER"
fi
run install -d -m 0755 "$OPT"
run install -d -m 0750 -o root -g "$APP_USER" "$ETC"
run install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$ETC/certs"
run install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$VAR" "$VAR/images"

# 4. Configuration: keep an existing .env; a new one gets a random database password.
if [ -f "$ENV_FILE" ]; then
  say "keeping $ENV_FILE"
  run chown "root:$APP_USER" "$ENV_FILE"
  run chmod 0640 "$ENV_FILE"
else
  PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  say "writing $ENV_FILE from .env.example (new database password)"
  if $DRY_RUN; then
    echo "WOULD: install -m 0640 -o root -g $APP_USER .env.example $ENV_FILE (DB_PASSWORD generated)"
  else
    sed -e "s|^DB_PASSWORD=.*|DB_PASSWORD=$PASSWORD|" .env.example > "$ENV_FILE.new"
    install -m 0640 -o root -g "$APP_USER" "$ENV_FILE.new" "$ENV_FILE"
    rm -f "$ENV_FILE.new"
  fi
fi

# 5. Role and database, with the credentials of the .env.
env_value() { # KEY DEFAULT: the value in the .env, else the default
  local v=""
  [ -f "$ENV_FILE" ] && v=$(sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1=//p" "$ENV_FILE" | tail -1 | sed -e 's/^["'\'']//' -e 's/["'\'']$//')
  echo "${v:-$2}"
}
DB_NAME=$(env_value DB_NAME tattile)
DB_USER=$(env_value DB_USER tattile)
DB_PASSWORD=$(env_value DB_PASSWORD "${PASSWORD:-tattile}")
DB_PORT=$(env_value DB_PORT 5432)
psql_admin() { runuser -u postgres -- psql -p "$DB_PORT" -tAq -v ON_ERROR_STOP=1 "$@"; }
if $DRY_RUN; then
  echo "WOULD: create or update role $DB_USER (password from $ENV_FILE) and database $DB_NAME owned by it"
else
  for _ in $(seq 1 30); do psql_admin -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$DB_USER'")" = 1 ]; then
    psql_admin -c "alter role \"$DB_USER\" login password '$DB_PASSWORD'"
  else
    psql_admin -c "create role \"$DB_USER\" login password '$DB_PASSWORD'"
  fi
  if [ "$(psql_admin -c "select 1 from pg_database where datname = '$DB_NAME'")" != 1 ]; then
    psql_admin -c "create database \"$DB_NAME\" owner \"$DB_USER\""
  fi
  say "role $DB_USER and database $DB_NAME ready"
fi

# 6. The jar (the previous one is kept for rollback), the README and the operator menu.
if [ -f "$OPT/tattile-sender.jar" ]; then
  run cp -p "$OPT/tattile-sender.jar" "$OPT/tattile-sender.jar.previous"
fi
run install -m 0644 "$JAR" "$OPT/tattile-sender.jar"
run install -m 0644 README.md .env.example "$OPT/"
if [ -f deploy/ajustes.sh ]; then
  run install -m 0755 deploy/ajustes.sh /usr/local/bin/tattile-ajustes
fi

# 7. Migrations, as the service user.
run runuser -u "$APP_USER" -- env TATTILE_ENV_FILE="$ENV_FILE" java -jar "$OPT/tattile-sender.jar" db migrate

# 8. The service.
run install -m 0644 deploy/systemd/tattile-sender.service "$UNIT"
if have systemctl && [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
  run systemctl enable tattile-sender
  run systemctl restart tattile-sender
  say "started: systemctl status tattile-sender; logs: journalctl -u tattile-sender -f"
else
  say "systemd is not running here: the unit is installed; start the service with"
  say "  runuser -u $APP_USER -- env TATTILE_ENV_FILE=$ENV_FILE java -jar $OPT/tattile-sender.jar"
fi
say "done"
