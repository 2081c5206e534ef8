#!/usr/bin/env bash
# Makes sure a local S3Proxy runs (a real S3 implementation with a filesystem backend, in its own JVM), for the
# S3 benchmark and for trying IMAGE_STORE=s3 by hand. Idempotent: one already running is reused.
#   S3PROXY_PORT (9000)  port on 127.0.0.1
#   S3PROXY_DIR (target/s3proxy-dev)  its data (one folder per bucket), log, pid and a generated key pair (0600)
#   S3_BUCKET (tattile)  the bucket it makes sure exists
# Prints the service's settings for it on stdout, one KEY=VALUE per line; the secret key stays in its 0600
# file (S3_SECRET_ACCESS_KEY_FILE) and is never printed.
#   deploy/dev/s3proxy.sh        start (or reuse) and print the settings
#   deploy/dev/s3proxy.sh stop   stop the one this script started (its data stays)
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${S3PROXY_PORT:-9000}
DIR=${S3PROXY_DIR:-target/s3proxy-dev}
BUCKET=${S3_BUCKET:-tattile}
JAR=target/s3proxy/s3proxy.jar

log() { echo "[s3proxy.sh] $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if [ "${1:-start}" = stop ]; then
  if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
    kill "$(cat "$DIR/pid")"
    log "stopped"
  fi
  rm -f "$DIR/pid"
  exit 0
fi

if [ ! -f "$JAR" ]; then
  # The pom's dependency plugin copies org.gaul:s3proxy:jar-with-dependencies there (as for the tests).
  ./mvnw -B -q process-test-resources >&2
fi
umask 077
mkdir -p "$DIR/data/$BUCKET"
DIR=$(cd "$DIR" && pwd)
if [ ! -s "$DIR/access-key" ] || [ ! -s "$DIR/secret-key" ]; then
  echo "AKDEV$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$DIR/access-key"
  { head -c 30 /dev/urandom | base64 | tr -d '/+=\n'; echo; } > "$DIR/secret-key"
fi
ACCESS=$(cat "$DIR/access-key")

if listening; then
  log "something already listens on 127.0.0.1:$PORT: used as the S3 service (stop it, or set S3PROXY_PORT)"
else
  {
    echo "s3proxy.endpoint=http://127.0.0.1:$PORT"
    echo "s3proxy.authorization=aws-v2-or-v4"
    echo "s3proxy.identity=$ACCESS"
    echo "s3proxy.credential=$(head -n 1 "$DIR/secret-key")"
    echo "jclouds.provider=filesystem"
    echo "jclouds.filesystem.basedir=$DIR/data"
  } > "$DIR/s3proxy.properties"
  nohup java -Xmx256m -XX:TieredStopAtLevel=1 -jar "$JAR" --properties "$DIR/s3proxy.properties" \
    > "$DIR/s3proxy.log" 2>&1 &
  echo $! > "$DIR/pid"
  for _ in $(seq 1 300); do
    listening && break
    sleep 0.1
  done
  if ! listening; then
    log "S3Proxy did not start on 127.0.0.1:$PORT; the end of $DIR/s3proxy.log:"
    tail -n 20 "$DIR/s3proxy.log" >&2
    exit 1
  fi
  log "S3Proxy on 127.0.0.1:$PORT, bucket '$BUCKET', data in $DIR/data"
fi

cat <<SETTINGS
IMAGE_STORE=s3
S3_ENDPOINT=http://127.0.0.1:$PORT
S3_BUCKET=$BUCKET
S3_REGION=us-east-1
S3_ACCESS_KEY_ID=$ACCESS
S3_SECRET_ACCESS_KEY_FILE=$DIR/secret-key
S3_PATH_STYLE=true
SETTINGS
