#!/usr/bin/env bash
# Installs or upgrades tattile-sender on Debian/Ubuntu: JDK and PostgreSQL if missing, the service
# user, folders, /etc/tattile-sender/.env (an existing one is kept), two database roles (the owner,
# which migrates, and the service's, which only reads and writes data) and the database, the jar
# under /opt/tattile-sender (the previous one kept for rollback), migrations, and the systemd unit.
# Idempotent: running it again upgrades the jar and keeps the data.
#
#   sudo deploy/setup.sh [--jar PATH] [--dry-run]
#   sudo deploy/setup.sh --from-python OLD_INSTALL_DIR [--lectorvision-sources CIDR,...] [--jar PATH] [--dry-run]
#
# --dry-run prints every action it would take, changes nothing, and needs no root.
#
# --from-python takes over a running Python TattileSender in place (deploy/lib/from-python.sh): OLD_INSTALL_DIR is its
# install folder, holding its .env. After the install above (without starting the service): its settings translated
# into this product's .env (values already set there kept; LECTORVISION_PORT when it ran tattile-lectorvision;
# LECTORVISION_ALLOWED_SOURCES from --lectorvision-sources, else every private range), an import check (admin
# import-legacy --dry-run) while it still runs, then its units tattile-ingest, tattile-lectorvision, tattile-api and
# tattile-sender stopped and disabled (the last one's file kept as tattile-sender-python.service.disabled: this
# product's unit takes its name), the import (admin import-legacy --from-env OLD_INSTALL_DIR/.env), and this product
# started on the same ports. Its database, its role and its folder are only read. Prints the way back at the end. An
# import that fails stops before starting anything; one that leaves items for the operator goes on.
#   SYSTEMD_UNIT_DIR   where the units are (default /etc/systemd/system)
#   TATTILE_ADMIN_CMD  the admin CLI to run (default: java -jar /opt/tattile-sender/tattile-sender.jar admin)
set -euo pipefail
CALLER_DIR=$PWD
cd "$(dirname "$0")/.."
# shellcheck source=lib/envfile.sh
. deploy/lib/envfile.sh

DRY_RUN=false
JAR=target/tattile-sender.jar
FROM_PYTHON=""
LV_SOURCES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --jar) JAR=$2; shift ;;
    --from-python) [ $# -ge 2 ] || { echo "--from-python needs the old install folder" >&2; exit 2; }; FROM_PYTHON=$2; shift
      [[ $FROM_PYTHON == /* ]] || FROM_PYTHON=$CALLER_DIR/$FROM_PYTHON ;;
    --lectorvision-sources) [ $# -ge 2 ] || { echo "--lectorvision-sources needs CIDR,..." >&2; exit 2; }; LV_SOURCES=$2; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$LV_SOURCES" ]; then
  [ -n "$FROM_PYTHON" ] || { echo "--lectorvision-sources goes with --from-python" >&2; exit 2; }
  [[ $LV_SOURCES =~ ^[0-9A-Fa-f.:/,]+$ ]] || { echo "--lectorvision-sources: a comma list of addresses or CIDR blocks" >&2; exit 2; }
fi

APP_USER=tattile
OPT=/opt/tattile-sender
ETC=/etc/tattile-sender
VAR=/var/lib/tattile-sender
ENV_FILE=$ETC/.env
SYSTEMD_UNIT_DIR=${SYSTEMD_UNIT_DIR:-/etc/systemd/system}
UNIT=$SYSTEMD_UNIT_DIR/tattile-sender.service
OWNER_ROLE=tattile_owner
OWNER_PASSWORD_FILE=$ETC/db-owner.password

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

# 0. --from-python: before any change, the old installation (its .env, its units, its database names).
if [ -n "$FROM_PYTHON" ]; then
  # shellcheck source=lib/from-python.sh
  . deploy/lib/from-python.sh
  if ! $DRY_RUN && ! { have systemctl && [ -d /run/systemd/system ]; }; then
    echo "--from-python: systemd is not running here, so the old services cannot be switched" >&2
    exit 1
  fi
  fp_preflight "$FROM_PYTHON" "$LV_SOURCES"
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

# 4. Configuration: keep an existing .env; a new one gets a random database password. Passwords are made and written
# by shell builtins and pipes, never passed on a command line, into files only root (and the service's group) can read.
random_password() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
env_value() { # KEY DEFAULT: the value in the .env (read as the service reads it), else the default
  local v
  v=$(env_file_value "$ENV_FILE" "$1") || v=""
  printf '%s\n' "${v:-$2}"
}
if [ -f "$ENV_FILE" ]; then
  say "keeping $ENV_FILE"
  run chown "root:$APP_USER" "$ENV_FILE"
  run chmod 0640 "$ENV_FILE"
else
  say "writing $ENV_FILE from .env.example (new database password)"
  if $DRY_RUN; then
    echo "WOULD: install -m 0640 -o root -g $APP_USER .env.example $ENV_FILE (DB_PASSWORD generated)"
  else
    PASSWORD=$(random_password)
    (
      umask 077
      while IFS= read -r line || [ -n "$line" ]; do
        case $line in
          DB_PASSWORD=*) printf 'DB_PASSWORD=%s\n' "$PASSWORD" ;;
          DB_NAME=*) printf 'DB_NAME=%s\n' "${FP_NEW_DB:-${line#DB_NAME=}}" ;;    # --from-python: not the old one's
          DB_USER=*) printf 'DB_USER=%s\n' "${FP_NEW_USER:-${line#DB_USER=}}" ;;
          DB_OWNER_USER=*) printf 'DB_OWNER_USER=%s\n' "$OWNER_ROLE" ;;
          DB_OWNER_PASSWORD_FILE=*) printf 'DB_OWNER_PASSWORD_FILE=%s\n' "$OWNER_PASSWORD_FILE" ;;
          *) printf '%s\n' "$line" ;;
        esac
      done < .env.example > "$ENV_FILE.new"
    )
    install -m 0640 -o root -g "$APP_USER" "$ENV_FILE.new" "$ENV_FILE"
    rm -f "$ENV_FILE.new"
  fi
fi

# Two roles: the owner's migrates ("db migrate", run as root below), the service's only reads and writes data, and
# only reads and adds to audit_log. A .env without them (older installs) gets them at its end (the last line counts).
env_ensure() { # KEY VALUE: set in the .env when missing or empty
  if [ -n "$(env_value "$1" "")" ]; then
    say "keeping $1=$(env_value "$1" "") in $ENV_FILE"
  elif $DRY_RUN; then
    echo "WOULD: append $1=$2 to $ENV_FILE"
  else
    [ -z "$(tail -c 1 "$ENV_FILE")" ] || echo >> "$ENV_FILE"
    printf '%s=%s\n' "$1" "$2" >> "$ENV_FILE"
    say "added $1=$2 to $ENV_FILE"
  fi
}
if [ -f "$ENV_FILE" ] || ! $DRY_RUN; then
  env_ensure DB_OWNER_USER "$OWNER_ROLE"
  env_ensure DB_OWNER_PASSWORD_FILE "$OWNER_PASSWORD_FILE"
fi
OWNER_ROLE=$(env_value DB_OWNER_USER "$OWNER_ROLE")
OWNER_PASSWORD_FILE=$(env_value DB_OWNER_PASSWORD_FILE "$OWNER_PASSWORD_FILE")
if [ -f "$OWNER_PASSWORD_FILE" ]; then
  say "keeping $OWNER_PASSWORD_FILE"
else
  say "writing $OWNER_PASSWORD_FILE (new password of role $OWNER_ROLE)"
  if $DRY_RUN; then
    echo "WOULD: write a random password to $OWNER_PASSWORD_FILE"
  else
    ( umask 077; random_password > "$OWNER_PASSWORD_FILE.new" && echo >> "$OWNER_PASSWORD_FILE.new" )
    mv -f "$OWNER_PASSWORD_FILE.new" "$OWNER_PASSWORD_FILE"
  fi
fi
# Root's alone: the service user cannot read it (the service never migrates with two roles).
run chown root:root "$OWNER_PASSWORD_FILE"
run chmod 0600 "$OWNER_PASSWORD_FILE"

# 5. Roles and database, with the credentials of the .env (deploy/db-roles.sh: names quoted by psql, passwords on its
# standard input).
DB_NAME=$(env_value DB_NAME "${FP_NEW_DB:-tattile}")
DB_USER=$(env_value DB_USER "${FP_NEW_USER:-tattile}")
DB_PORT=$(env_value DB_PORT 5432)
psql_admin() { runuser -u postgres -- psql -p "$DB_PORT" "$@"; }
if $DRY_RUN; then
  echo "WOULD: create or update role $DB_USER (the service's, password from $ENV_FILE), role $OWNER_ROLE (the owner, password from $OWNER_PASSWORD_FILE) and database $DB_NAME owned by $OWNER_ROLE; what $DB_USER owns in it passes to $OWNER_ROLE (deploy/db-roles.sh)"
else
  for _ in $(seq 1 30); do psql_admin -X -tAq -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  deploy/db-roles.sh --env-file "$ENV_FILE" -- runuser -u postgres -- psql -p "$DB_PORT" | sed 's/^\[db-roles\]/[setup]/'
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

# 7. Migrations, as root: "db migrate" connects as the owner role with the password in DB_OWNER_PASSWORD_FILE (root's
# alone), then grants the service role its privileges again.
run env TATTILE_ENV_FILE="$ENV_FILE" java -jar "$OPT/tattile-sender.jar" db migrate

# 7b. The class-data archive (AppCDS, README "Start-up"; deploy/cds-archive.sh): the installed jar started once as
# the service user for a few seconds, on spare ports with the sender off. The unit reads the JVM option from
# $OPT/cds.env; without that file (the training failed) the service starts as before, and an archive older than its jar
# (a jar replaced by hand) is refused by the JVM with a warning in the journal and ignored.
CDS_ARCHIVE=$OPT/tattile-sender.jsa
CDS_ENV=$OPT/cds.env
run rm -f "$CDS_ENV" "$CDS_ARCHIVE"
if $DRY_RUN; then
  echo "WOULD: deploy/cds-archive.sh --jar $OPT/tattile-sender.jar --env-file $ENV_FILE --user $APP_USER --out $CDS_ARCHIVE, then write TATTILE_CDS_OPTIONS to $CDS_ENV"
elif deploy/cds-archive.sh --jar "$OPT/tattile-sender.jar" --env-file "$ENV_FILE" --user "$APP_USER" --out "$CDS_ARCHIVE" 2>&1 \
  | sed 's/^\[cds\]/[setup]/'; then
  printf '# Written by deploy/setup.sh: the class-data archive built for this jar.\nTATTILE_CDS_OPTIONS=-XX:SharedArchiveFile=%s\n' \
    "$CDS_ARCHIVE" >"$CDS_ENV"
  chmod 0644 "$CDS_ENV"
else
  say "WARNING: no class-data archive; the service starts without it (a second or so slower)"
fi

# 8. The service. --from-python: the switch from the old services (deploy/lib/from-python.sh), which installs the unit.
if [ -n "$FROM_PYTHON" ]; then
  fp_switch
  say "done"
  exit 0
fi
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
