#!/usr/bin/env bash
# Runs the whole test suite against a real local PostgreSQL: ensures the server, then ./mvnw -B verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/dev/postgres.sh
./mvnw -B verify "$@"
