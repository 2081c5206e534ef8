#!/usr/bin/env bash
# The demo: a local PostgreSQL, the service built and started with a demo municipality, a certificate
# and cameras, the built-in Mossos sandbox (which verifies every WS-Security signature), ~100 realistic
# readings from the built-in camera simulator over TCP — ingested, signed, sent and cleaned up.
#   DEMO_READINGS (100), DEMO_CONNECTIONS (4), DEMO_PORT (33334), DEMO_SANDBOX_PORT (8088), DEMO_API_PORT (8000),
#   DEMO_JOLOKIA_PORT (8778), DEMO_DB (tattile_demo)
set -euo pipefail
cd "$(dirname "$0")/../.."

READINGS=${DEMO_READINGS:-100}
CONNECTIONS=${DEMO_CONNECTIONS:-4}
SANDBOX_PORT=${DEMO_SANDBOX_PORT:-8088}
export TRANSIT_PORT=${DEMO_PORT:-33334}
export API_PORT=${DEMO_API_PORT:-8000}
export JOLOKIA_PORT=${DEMO_JOLOKIA_PORT:-8778}
export DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} DB_USER=${DB_USER:-tattile} DB_PASSWORD=${DB_PASSWORD:-tattile}
export DB_NAME=${DEMO_DB:-tattile_demo}
export IMAGES_BASE_DIR="$PWD/demo-data/images"
export CERTS_DIR="$PWD/demo-data/certs"
export MOSSOS_ENDPOINT_URL="http://127.0.0.1:$SANDBOX_PORT/matricules"
export LOG_LEVEL=INFO
export TATTILE_ENV_FILE=/dev/null   # the demo is configured by the variables above only
JAR=target/tattile-sender.jar
LOG=demo-data/service.log
SANDBOX_LOG=demo-data/sandbox.log

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -tAq -c "$1"; }
app() { java -jar "$JAR" "$@"; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

say "PostgreSQL"
deploy/dev/postgres.sh

say "Build"
if [ ! -f "$JAR" ] || [ -n "$(find src db pom.xml -newer "$JAR" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
ls -la "$JAR"

for p in "$TRANSIT_PORT" "$SANDBOX_PORT" "$API_PORT" "$JOLOKIA_PORT"; do
  if port_busy "$p"; then echo "Port $p is already in use: set DEMO_PORT / DEMO_SANDBOX_PORT / DEMO_API_PORT / DEMO_JOLOKIA_PORT." >&2; exit 1; fi
done

say "Schema and demo registry (database $DB_NAME)"
rm -rf demo-data && mkdir -p demo-data
umask 077   # the demo's secrets (Jolokia password, API key, certificate) are readable by this user only
# Jolokia (for Hawtio) starts only with a user and a password file.
export JOLOKIA_USER=demo JOLOKIA_PASSWORD_FILE="$PWD/demo-data/jolokia.password"
head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$JOLOKIA_PASSWORD_FILE"
app db migrate
sql "TRUNCATE delivery_log, messages_queue, alpr_readings, cameras, municipalities, endpoints, certificates, api_keys CASCADE"
app admin municipality add --name "Demo" --code 17000
app admin camera add --serial DEMO0001 --municipality Demo --codigo-lector DEMO-NORTE --description "Acceso Norte (simulated)"
app admin camera add --serial DEMO0002 --municipality Demo --description "Acceso Sur (simulated)" --timezone Europe/Madrid

say "Municipality certificate: a PKCS#12 made with keytool, imported without openssl"
KEYTOOL="$(dirname "$(readlink -f "$(command -v java)")")/keytool"
"$KEYTOOL" -genkeypair -alias 1 -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 365 \
  -dname "CN=Ajuntament Demo, O=tattile-sender demo, C=ES" -storetype PKCS12 \
  -keystore demo-data/demo.p12 -storepass demo-password -keypass demo-password 2>/dev/null
TATTILE_PFX_PASSWORD=demo-password app admin certificate import-pfx --file demo-data/demo.p12 --municipality Demo
app admin certificate list

say "Mossos sandbox on port $SANDBOX_PORT (verifies signatures against $CERTS_DIR)"
java -jar "$JAR" sandbox --port "$SANDBOX_PORT" --trust "$CERTS_DIR" > "$SANDBOX_LOG" 2>&1 &
PIDS+=($!)

say "Service (log: $LOG)"
java -jar "$JAR" > "$LOG" 2>&1 &
SERVICE=$!
PIDS+=("$SERVICE")
for _ in $(seq 1 60); do
  port_busy "$TRANSIT_PORT" && port_busy "$SANDBOX_PORT" && break
  kill -0 "$SERVICE" 2>/dev/null || { cat "$LOG"; echo "The service stopped." >&2; exit 1; }
  sleep 0.5
done
echo "service listening on port $TRANSIT_PORT (pid $SERVICE)"

say "Camera simulator: $READINGS readings over $CONNECTIONS connections"
app simulate --readings "$READINGS" --connections "$CONNECTIONS" --serial DEMO0001,DEMO0002

delivered() { sql "SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"; }
for _ in $(seq 1 120); do
  [ "$(delivered)" -ge "$READINGS" ] && [ "$(sql 'SELECT count(*) FROM alpr_readings')" -eq 0 ] && break
  sleep 0.5
done

say "Result"
echo "ingested (log lines):     $(grep -c '\[INGEST\] Lectura recibida' "$LOG")"
echo "delivered (delivery_log): $(delivered)"
echo "verified by the sandbox:  $(grep -c '^\[SANDBOX\] matricula' "$SANDBOX_LOG")"
echo "still queued:             $(sql "SELECT coalesce(string_agg(status || '=' || n, ' '), 'none') FROM (SELECT status, count(*) n FROM messages_queue GROUP BY status) s")"
echo "readings left:            $(sql 'SELECT count(*) FROM alpr_readings') (delivered readings and their images are deleted)"
echo "image files left:         $(find "$IMAGES_BASE_DIR" -type f -name '*.jpg' 2>/dev/null | wc -l)"
echo "cameras last sent:        $(sql "SELECT string_agg(serial_number || ' ' || to_char(last_sent_at, 'HH24:MI:SS'), ', ') FROM cameras")"
echo
echo "Operator log lines (samples):"
grep -m2 '\[INGEST\] Lectura recibida' "$LOG" || true
grep -m1 '\[SENDER\] Enviando lectura' "$LOG" || true
grep -m1 'enviada correctamente a Mossos' "$LOG" || true
echo
echo "Sandbox (samples):"
grep -m2 '^\[SANDBOX\]' "$SANDBOX_LOG" || true
if command -v curl >/dev/null 2>&1; then
  # Secrets go to curl in files, never on its command line.
  KEY=$(app admin apikey create --name demo-reader --role READ_ONLY | sed -n 2p)
  printf 'X-API-Key: %s\n' "$KEY" > demo-data/api-key.header
  printf 'user = "%s:%s"\n' "$JOLOKIA_USER" "$(cat "$JOLOKIA_PASSWORD_FILE")" > demo-data/jolokia.curlrc
  echo
  echo "GET http://127.0.0.1:$API_PORT/health/ready (public)"
  curl -s "http://127.0.0.1:$API_PORT/health/ready"; echo
  echo "GET /health with a READ_ONLY key"
  curl -s -H @demo-data/api-key.header "http://127.0.0.1:$API_PORT/health"; echo
  echo "GET /metrics with the same key (tattile_* series):"
  curl -s -H @demo-data/api-key.header "http://127.0.0.1:$API_PORT/metrics" | grep -E '^tattile_(readings_received|sends)_total' || true
  echo "Hawtio / Jolokia: http://127.0.0.1:$JOLOKIA_PORT/jolokia, user $JOLOKIA_USER, password in $JOLOKIA_PASSWORD_FILE (route ingest-tattile-tcp: $(curl -s -K demo-data/jolokia.curlrc "http://127.0.0.1:$JOLOKIA_PORT/jolokia/read/org.apache.camel:context=tattile-sender,type=routes,name=%22ingest-tattile-tcp%22/ExchangesCompleted" | sed -n 's/.*"value":\([0-9]*\).*/\1/p') exchanges completed)"
fi

say "Stopping"
cleanup
trap - EXIT
echo "done"
