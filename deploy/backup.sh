#!/usr/bin/env bash
# Backs up tattile-sender: the database (pg_dump, custom format), the images, the certificates (with their private
# keys) and the configuration, into DEST/tattile-<timestamp>/; keeps the newest KEEP backups. Folders are 0700 and
# files 0600 (DEST itself is created 0700); a backup is written to a hidden folder and renamed into place only when
# complete, so a failed run leaves nothing behind.
#
#   deploy/backup.sh [--dest DIR] [--keep N] [--env-file FILE] [--encrypt-to RECIPIENT]...
#     --dest        default /var/backups/tattile-sender
#     --keep        default 7
#     --env-file    default $TATTILE_ENV_FILE, else /etc/tattile-sender/.env
#     --encrypt-to  encrypt every file with gpg to this public key (repeatable: any one of the keys decrypts).
#                   Import it first: gpg --import key.asc (root's keyring, or $GNUPGHOME). The data is streamed
#                   into gpg: nothing is written in the clear. Files get a .gpg suffix; the secret key stays
#                   off the server.
#
# The database is dumped as DB_OWNER_USER when it is set (password from DB_OWNER_PASSWORD_FILE), else as DB_USER.
#
# With IMAGE_STORE=s3 the images are in the bucket (S3_BUCKET at S3_ENDPOINT), which this script does not copy: it
# says so on every run. Protect them with the store's own means (object versioning, replication to a second site or
# bucket, the provider's snapshots); the database dump names every image by its key, so a restored database and the
# bucket as it was then belong together (README, "Images in S3-compatible storage").
#
# Restore (service stopped), as the role that dumped (the owner: it owns the tables):
#   pg_restore --clean --if-exists -h HOST -U OWNER -d DB DIR/db.dump
#   tar -xzf DIR/images.tar.gz -C IMAGES_BASE_DIR ; tar -xzf DIR/certs.tar.gz -C CERTS_DIR
# An encrypted backup is first decrypted where the secret key is, file by file: gpg -d DIR/db.dump.gpg > db.dump,
# or through a pipe: gpg -d DIR/images.tar.gz.gpg | tar -xzf - -C IMAGES_BASE_DIR
set -euo pipefail
umask 077
LIB="$(dirname "$(readlink -f "$0")")/lib"
# shellcheck source=lib/envfile.sh
. "$LIB/envfile.sh"
# shellcheck source=lib/pg.sh
. "$LIB/pg.sh"

DEST=/var/backups/tattile-sender
KEEP=7
ENV_FILE=${TATTILE_ENV_FILE:-/etc/tattile-sender/.env}
RECIPIENTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) DEST=$2; shift ;;
    --keep) KEEP=$2; shift ;;
    --env-file) ENV_FILE=$2; shift ;;
    --encrypt-to) RECIPIENTS+=("$2"); shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$KEEP" in ''|*[!0-9]*|0) echo "--keep must be a positive number" >&2; exit 2 ;; esac

GPG_TO=()
for r in ${RECIPIENTS[@]+"${RECIPIENTS[@]}"}; do
  GPG_TO+=(--recipient "$r")
done
gpg_encrypt() { # stdin to stdout, for every recipient. The key was imported on purpose: used as is (--trust-model always).
  gpg --batch --quiet --no-tty --trust-model always --compress-algo none --encrypt "${GPG_TO[@]}"
}
# Every recipient must have a usable encryption key before anything is dumped.
if [ ${#RECIPIENTS[@]} -gt 0 ] && ! command -v gpg >/dev/null 2>&1; then
  echo "--encrypt-to needs gpg (apt-get install gnupg)" >&2
  exit 1
fi
for r in ${RECIPIENTS[@]+"${RECIPIENTS[@]}"}; do
  if ! gpg --batch --quiet --no-tty --trust-model always --encrypt --recipient "$r" </dev/null >/dev/null 2>&1; then
    echo "no usable gpg public key for --encrypt-to $r (import it first: gpg --import key.asc)" >&2
    exit 1
  fi
done

value() { # KEY DEFAULT: environment, then the env file, then the default
  local v="${!1:-}"
  if [ -z "$v" ]; then v=$(env_file_value "$ENV_FILE" "$1") || v=""; fi
  echo "${v:-$2}"
}
DB_HOST=$(value DB_HOST 127.0.0.1)
DB_PORT=$(value DB_PORT 5432)
DB_NAME=$(value DB_NAME tattile)
DB_USER=$(value DB_USER tattile)
DB_PASSWORD=$(value DB_PASSWORD tattile)
# With two roles (DB_OWNER_USER set: setup.sh's default) the owner dumps: it owns every table, the service role may
# not read them all. Its password file is root's: so is the backup.
DB_OWNER_USER=$(value DB_OWNER_USER "")
DB_OWNER_PASSWORD_FILE=$(value DB_OWNER_PASSWORD_FILE "")
if [ -n "$DB_OWNER_USER" ]; then
  [ -r "$DB_OWNER_PASSWORD_FILE" ] || { echo "DB_OWNER_USER is set: cannot read DB_OWNER_PASSWORD_FILE '$DB_OWNER_PASSWORD_FILE' (run as root)" >&2; exit 1; }
  DB_USER=$DB_OWNER_USER
  DB_PASSWORD=$(head -n 1 "$DB_OWNER_PASSWORD_FILE")
fi
IMAGE_STORE=$(value IMAGE_STORE folder)
IMAGES=$(value IMAGES_BASE_DIR /var/lib/tattile-sender/images)
CERTS=$(value CERTS_DIR /etc/tattile-sender/certs)

mkdir -p -m 0700 "$DEST"
if [ -n "$(find "$DEST" -maxdepth 0 -perm /077)" ]; then
  echo "note: $DEST is open to other users (each backup folder in it is 0700)" >&2
fi
# One backup at a time; a backup killed earlier may have left its hidden folder: removed.
exec 9<"$DEST"
flock -n 9 || { echo "another backup is running in $DEST" >&2; exit 1; }
find "$DEST" -mindepth 1 -maxdepth 1 -name '.tattile-*.partial' -exec rm -rf -- {} +

NAME="tattile-$(date -u +%Y%m%dT%H%M%SZ)"
TARGET="$DEST/$NAME"
PARTIAL="$DEST/.$NAME.partial"
[ ! -e "$TARGET" ] || { echo "$TARGET exists already" >&2; exit 1; }
mkdir -m 0700 "$PARTIAL"
trap 'rm -rf -- "$PARTIAL"' EXIT

store() { # NAME: stdin to PARTIAL/NAME, or to PARTIAL/NAME.gpg through gpg
  if [ ${#RECIPIENTS[@]} -gt 0 ]; then gpg_encrypt > "$PARTIAL/$1.gpg"; else cat > "$PARTIAL/$1"; fi
}
# The password reaches pg_dump through its environment, never its command line.
PGPASSWORD="$DB_PASSWORD" pg_dump -Fc -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "dbname=$(pg_conninfo_value "$DB_NAME")" | store db.dump
archive() { # DIR: a tar.gz of DIR on stdout. The service keeps adding and deleting images meanwhile: tar's status 1
  # (a file changed or went away while read) still gives a usable archive; 2 is an error.
  tar --warning=no-file-changed --warning=no-file-removed -czf - -C "$1" . || [ $? -eq 1 ]
}
if [ "$IMAGE_STORE" = s3 ]; then
  echo "note: IMAGE_STORE=s3: the images in bucket '$(value S3_BUCKET "")' at $(value S3_ENDPOINT "") are not copied;" \
    "rely on the store's versioning or replication (README, Images in S3-compatible storage)" >&2
elif [ -d "$IMAGES" ]; then
  archive "$IMAGES" | store images.tar.gz
fi
if [ -d "$CERTS" ]; then archive "$CERTS" | store certs.tar.gz; fi
if [ -f "$ENV_FILE" ]; then store env < "$ENV_FILE"; fi
chmod 0600 "$PARTIAL"/*
mv -T -- "$PARTIAL" "$TARGET"
trap - EXIT
echo "backup written to $TARGET ($(du -sh "$TARGET" | cut -f1))${RECIPIENTS[0]+, encrypted with gpg to ${RECIPIENTS[*]}}"

# Retention: the newest KEEP backups stay.
find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'tattile-*' | sort | head -n -"$KEEP" | while read -r old; do
  rm -rf -- "$old"
  echo "removed old backup $old"
done
