# shellcheck shell=bash disable=SC2034
# Sourced by deploy/dev/bench.sh and deploy/dev/bench-s3.sh (from the project's root): the bench database made sure of
# on a local PostgreSQL, the jar built when the sources are newer, and the variables both use.
#   BENCH_RUNS (3), BENCH_DB (tattile_bench); DB_HOST, DB_PORT, DB_USER, DB_PASSWORD as deploy/dev/postgres.sh takes them
RUNS=${BENCH_RUNS:-3}
export DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} DB_USER=${DB_USER:-tattile} DB_PASSWORD=${DB_PASSWORD:-tattile}
BENCH_DB=${BENCH_DB:-tattile_bench}
export TATTILE_ENV_FILE=/dev/null
JAR=target/tattile-sender.jar
OUT=target/bench

DB_NAME="$BENCH_DB" deploy/dev/postgres.sh
if [ ! -f "$JAR" ] || [ -n "$(find src db pom.xml -newer "$JAR" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
mkdir -p "$OUT"
