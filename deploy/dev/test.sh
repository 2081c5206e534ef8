#!/usr/bin/env bash
# Runs the whole test suite against a real local PostgreSQL: ensures the server, then ./mvnw -B verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/dev/postgres.sh
# Some certificate tests compare with openssl's own output: make sure it is there, so they run.
if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openssl >/dev/null; else sudo apt-get install -y -qq openssl >/dev/null; fi
fi
# CamerasBehindHaproxyIT puts a real HAProxy in front of two instances: it fails (it does not skip) without one.
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; else sudo apt-get install -y -qq haproxy >/dev/null; fi
fi
# AlertRulesTest runs promtool (check rules, test rules) on deploy/monitoring: it fails (it does not skip) without it.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; else sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null; fi
fi
./mvnw -B verify "$@"
