#!/usr/bin/env bash
# Builds the class-data archive (AppCDS, README "Start-up") of a jar: the classes the service loads at start, parsed
# and verified once here instead of at every start. JDK 17 writes it when a JVM started with -XX:ArchiveClassesAtExit
# exits, so the service is started once with the given configuration for a few seconds and stopped by Camel: on spare
# ports (the first free ones from 39100), with the sender and Jolokia off, so that it neither disturbs a service
# already running on this host nor sends anything. deploy/setup.sh runs it for the installed jar; an archive only fits
# the jar (same path, size and time) and JVM options it was made with.
#
#   deploy/cds-archive.sh --jar JAR --env-file FILE --out ARCHIVE [--user USER] [--seconds N]
#
# --user runs the training as that user (the service's); --seconds how long it runs once started (default 8).
# Exit 0 with ARCHIVE written; otherwise exit 1, ARCHIVE absent, and the training run's last lines on stderr.
set -euo pipefail

JAR="" ENV_FILE="" OUT="" RUN_AS="" SECONDS_UP=8
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=$2; shift ;;
    --env-file) ENV_FILE=$2; shift ;;
    --out) OUT=$2; shift ;;
    --user) RUN_AS=$2; shift ;;
    --seconds) SECONDS_UP=$2; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$JAR" ] && [ -n "$ENV_FILE" ] && [ -n "$OUT" ] || { echo "--jar, --env-file and --out are needed" >&2; exit 2; }
[[ $SECONDS_UP =~ ^[1-9][0-9]*$ ]] || { echo "--seconds: a whole number of seconds" >&2; exit 2; }
JAR=$(realpath "$JAR")

spare_port() { # the first port from $1 on which nothing on this host accepts connections
  local p
  for p in $(seq "$1" $(($1 + 999))); do
    (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
TRANSIT=$(spare_port 39100)
API=$(spare_port $((TRANSIT + 1)))

TRAINING=$(mktemp -d)
trap 'rm -rf "$TRAINING"' EXIT
as_user=()
if [ -n "$RUN_AS" ]; then
  chown "$RUN_AS" "$TRAINING"
  as_user=(runuser -u "$RUN_AS" --)
fi
rm -f "$OUT"
# The JVM options are the unit's (deploy/systemd/tattile-sender.service): an archive made with other heap settings
# would not fit.
if (cd "$TRAINING" && "${as_user[@]}" env TATTILE_ENV_FILE="$ENV_FILE" MALLOC_ARENA_MAX=2 \
  TRANSIT_PORT="$TRANSIT" API_PORT="$API" LECTORVISION_PORT= JOLOKIA_PORT=0 SENDER_ENABLED=false \
  java -XX:ArchiveClassesAtExit="$TRAINING/archive.jsa" -Xms128m -Xmx256m -XX:+UseSerialGC \
  -XX:+UnlockDiagnosticVMOptions -XX:GCLockerRetryAllocationCount=1000 -XX:+ExitOnOutOfMemoryError \
  -Dcamel.main.durationMaxSeconds="$SECONDS_UP" -jar "$JAR" >"$TRAINING/training.log" 2>&1) \
  && grep -q ') started in ' "$TRAINING/training.log" && [ -s "$TRAINING/archive.jsa" ]; then
  install -m 0644 "$TRAINING/archive.jsa" "$OUT"
  echo "[cds] class-data archive built: $OUT"
else
  echo "[cds] the class-data archive could not be built; the training run ended with:" >&2
  grep -v '^\[[0-9.]*s\]\[warning\]\[cds' "$TRAINING/training.log" | tail -n 5 | sed 's/^/[cds]   /' >&2 || true
  exit 1
fi
