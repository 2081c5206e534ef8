#!/usr/bin/env bash
# The image-store benchmark behind the README's S3 figures: ingest flat out over 50 connections and the sender
# (0 ms sandbox, verification off), each first with the image folder, then with a bucket of a local S3Proxy
# (deploy/dev/s3proxy.sh), in one run: the two stores are compared on service CPU per reading and per send
# measured at the same moment of the machine, not on rates from different days. Writes
# target/bench/stores.json and the README table target/bench/stores.md. Uses (and empties) its own database,
# tattile_bench, and the bench cameras' objects in the bucket. Takes 6-10 minutes.
#   BENCH_RUNS (3), BENCH_DB (tattile_bench), BENCH_ARGS (extra arguments for "bench stores", e.g. --quick)
set -euo pipefail
cd "$(dirname "$0")/../.."

# shellcheck source=deploy/dev/bench-prepare.sh
. deploy/dev/bench-prepare.sh
S3_SETTINGS=$(S3_BUCKET=tattile-bench deploy/dev/s3proxy.sh)
trap 'deploy/dev/s3proxy.sh stop' EXIT
SETS=()
while IFS= read -r setting; do
  SETS+=(--set "$setting")
done <<< "$S3_SETTINGS"
echo "[bench-s3.sh] $(nproc) CPUs, load before start: $(cut -d' ' -f1-3 /proc/loadavg) (figures need an otherwise idle machine)"
# shellcheck disable=SC2086
java -jar "$JAR" bench stores --database "$BENCH_DB" --runs "$RUNS" --work-dir "$OUT/data-stores" "${SETS[@]}" \
  --set S3_PREFIX=bench/ --out "$OUT/stores.json" --markdown "$OUT/stores.md" ${BENCH_ARGS:-} > /dev/null
rm -rf "$OUT/data-stores/images"
cat "$OUT/stores.md"
echo
echo "[bench-s3.sh] JSON: $OUT/stores.json   table: $OUT/stores.md"
