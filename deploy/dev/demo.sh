#!/usr/bin/env bash
# The demo: a local PostgreSQL, the service built and started, a demo municipality and cameras,
# ~100 realistic readings sent by the built-in camera simulator over TCP, and what was stored.
#   DEMO_READINGS (100), DEMO_CONNECTIONS (4), DEMO_PORT (33334), DEMO_DB (tattile_demo)
set -euo pipefail
cd "$(dirname "$0")/../.."

READINGS=${DEMO_READINGS:-100}
CONNECTIONS=${DEMO_CONNECTIONS:-4}
export TRANSIT_PORT=${DEMO_PORT:-33334}
export DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} DB_USER=${DB_USER:-tattile} DB_PASSWORD=${DB_PASSWORD:-tattile}
export DB_NAME=${DEMO_DB:-tattile_demo}
export IMAGES_BASE_DIR="$PWD/demo-data/images"
export LOG_LEVEL=INFO
export TATTILE_ENV_FILE=/dev/null   # the demo is configured by the variables above only
JAR=target/tattile-sender.jar
LOG=demo-data/service.log

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -tAq -c "$1"; }
app() { java -jar "$JAR" "$@"; }

say "PostgreSQL"
deploy/dev/postgres.sh

say "Build"
if [ ! -f "$JAR" ] || [ -n "$(find src db pom.xml -newer "$JAR" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
ls -la "$JAR"

say "Schema and demo registry (database $DB_NAME)"
app db migrate
sql "TRUNCATE delivery_log, messages_queue, alpr_readings, cameras, municipalities, endpoints, certificates CASCADE"
rm -rf demo-data && mkdir -p demo-data
app admin municipality add --name "Demo" --code 17000
app admin camera add --serial DEMO0001 --municipality Demo --description "Acceso Norte (simulated)"
app admin camera add --serial DEMO0002 --municipality Demo --description "Acceso Sur (simulated)" --timezone Europe/Madrid

if (exec 3<>"/dev/tcp/127.0.0.1/$TRANSIT_PORT") 2>/dev/null; then
  echo "Port $TRANSIT_PORT is already in use: set DEMO_PORT to a free port." >&2
  exit 1
fi

say "Service (log: $LOG)"
app > "$LOG" 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true; wait $SERVICE 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$TRANSIT_PORT") 2>/dev/null && break
  kill -0 $SERVICE 2>/dev/null || { cat "$LOG"; echo "The service stopped." >&2; exit 1; }
  sleep 0.5
done
echo "listening on port $TRANSIT_PORT (pid $SERVICE)"

say "Camera simulator: $READINGS readings over $CONNECTIONS connections"
app simulate --readings "$READINGS" --connections "$CONNECTIONS" --serial DEMO0001,DEMO0002

for _ in $(seq 1 60); do
  [ "$(sql 'SELECT count(*) FROM alpr_readings')" -ge "$READINGS" ] && break
  sleep 0.5
done

say "Stored"
echo "readings:            $(sql 'SELECT count(*) FROM alpr_readings')"
echo "queue by status:     $(sql "SELECT string_agg(status || '=' || n, ' ') FROM (SELECT status, count(*) n FROM messages_queue GROUP BY status) s")"
echo "readings per camera: $(sql "SELECT string_agg(device_sn || '=' || n, ' ') FROM (SELECT device_sn, count(*) n FROM alpr_readings GROUP BY device_sn ORDER BY 1) s")"
echo "image files:         $(find "$IMAGES_BASE_DIR" -type f -name '*.jpg' | wc -l) ($(du -sh "$IMAGES_BASE_DIR" | cut -f1))"
echo "one reading:         $(sql "SELECT plate || ' at ' || timestamp_utc || ' from ' || device_sn FROM alpr_readings ORDER BY timestamp_utc LIMIT 1")"
echo "its OCR image:       $IMAGES_BASE_DIR/$(sql 'SELECT image_ocr_path FROM alpr_readings ORDER BY timestamp_utc LIMIT 1')"
echo
echo "Operator log lines (last 3 of $(grep -c '\[INGEST\] Lectura recibida' "$LOG")):"
grep '\[INGEST\] Lectura recibida' "$LOG" | tail -3

say "Stopping the service"
kill "$SERVICE"
wait "$SERVICE" 2>/dev/null || true
trap - EXIT
echo "done"
