#!/usr/bin/env bash
# The standard benchmark set behind the README's figures: ingest flat out over 50 connections and at a
# fixed 200 readings/s, the sender against the built-in Mossos sandbox at 0 ms and 200 ms (verification
# off and on), claim latency with 10 k, 100 k and 1 M rows queued, and GET /health with 1 M rows queued
# (filled once by SQL: 1.5-2.5 minutes of the 3-4.5 the health part takes). Each figure is the median of
# BENCH_RUNS runs (default 3), warm-up excluded. Writes target/bench/results.json and the README table
# target/bench/results.md. Uses (and empties) its own database, tattile_bench. Takes 13-23 minutes.
#   BENCH_RUNS (3), BENCH_DB (tattile_bench), BENCH_ARGS (extra arguments for "bench all", e.g. --quick)
set -euo pipefail
cd "$(dirname "$0")/../.."

# shellcheck source=deploy/dev/bench-prepare.sh
. deploy/dev/bench-prepare.sh
echo "[bench.sh] $(nproc) CPUs, load before start: $(cut -d' ' -f1-3 /proc/loadavg) (figures need an otherwise idle machine)"
# shellcheck disable=SC2086
java -jar "$JAR" bench all --database "$BENCH_DB" --runs "$RUNS" --work-dir "$OUT/data" \
  --out "$OUT/results.json" --markdown "$OUT/results.md" ${BENCH_ARGS:-} > /dev/null
rm -rf "$OUT/data/images"
cat "$OUT/results.md"
echo
echo "[bench.sh] JSON: $OUT/results.json   table: $OUT/results.md"
