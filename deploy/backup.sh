#!/usr/bin/env bash
# Backs up tattile-sender: the database (pg_dump, custom format), the images, the certificates and
# the configuration, into DEST/tattile-<timestamp>/; keeps the newest KEEP backups.
#
#   deploy/backup.sh [--dest DIR] [--keep N] [--env-file FILE]
#     --dest      default /var/backups/tattile-sender
#     --keep      default 7
#     --env-file  default $TATTILE_ENV_FILE, else /etc/tattile-sender/.env
#
# Restore (service stopped):
#   pg_restore --clean --if-exists -h HOST -U USER -d DB DIR/db.dump
#   tar -xzf DIR/images.tar.gz -C IMAGES_BASE_DIR ; tar -xzf DIR/certs.tar.gz -C CERTS_DIR
set -euo pipefail

DEST=/var/backups/tattile-sender
KEEP=7
ENV_FILE=${TATTILE_ENV_FILE:-/etc/tattile-sender/.env}
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) DEST=$2; shift ;;
    --keep) KEEP=$2; shift ;;
    --env-file) ENV_FILE=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$KEEP" in ''|*[!0-9]*|0) echo "--keep must be a positive number" >&2; exit 2 ;; esac

value() { # KEY DEFAULT: environment, then the env file, then the default
  local v="${!1:-}"
  if [ -z "$v" ] && [ -f "$ENV_FILE" ]; then
    v=$(sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1=//p" "$ENV_FILE" | tail -1 | sed -e 's/^["'\'']//' -e 's/["'\'']$//')
  fi
  echo "${v:-$2}"
}
DB_HOST=$(value DB_HOST 127.0.0.1)
DB_PORT=$(value DB_PORT 5432)
DB_NAME=$(value DB_NAME tattile)
DB_USER=$(value DB_USER tattile)
DB_PASSWORD=$(value DB_PASSWORD tattile)
IMAGES=$(value IMAGES_BASE_DIR /var/lib/tattile-sender/images)
CERTS=$(value CERTS_DIR /etc/tattile-sender/certs)

TARGET="$DEST/tattile-$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$TARGET"
PGPASSWORD="$DB_PASSWORD" pg_dump -Fc -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -f "$TARGET/db.dump"
if [ -d "$IMAGES" ]; then tar -czf "$TARGET/images.tar.gz" -C "$IMAGES" .; fi
if [ -d "$CERTS" ]; then tar -czf "$TARGET/certs.tar.gz" -C "$CERTS" .; fi
if [ -f "$ENV_FILE" ]; then cp "$ENV_FILE" "$TARGET/env"; fi
echo "backup written to $TARGET ($(du -sh "$TARGET" | cut -f1))"

# Retention: the newest KEEP backups stay.
ls -1d "$DEST"/tattile-* 2>/dev/null | sort | head -n -"$KEEP" | while read -r old; do
  rm -rf -- "$old"
  echo "removed old backup $old"
done
