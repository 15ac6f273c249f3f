#!/usr/bin/env bash
# Runs every test of Tongchou: domain tables, store stories on SQLite and PostgreSQL, HTTP
# tests, the browser journey in headless Chromium, and the binary's smoke tests.
#
# PostgreSQL: uses TEST_DATABASE_URL when set; otherwise starts the local cluster if it is
# installed but down, and uses postgres://postgres@127.0.0.1:5432/test. With
# REQUIRE_POSTGRES=1 (CI) a missing PostgreSQL is an error instead of a skipped backend.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
  fi
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
  fi
fi
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL tests on ${TEST_DATABASE_URL}"
  # Each test makes its own schema t_*; drop those left by earlier runs.
  psql "$TEST_DATABASE_URL" -qAt -c "SELECT 'DROP SCHEMA ' || nspname || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 't\_%'" \
    | psql "$TEST_DATABASE_URL" -q >/dev/null 2>&1 || true
elif [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable on 127.0.0.1:5432" >&2
  exit 1
else
  echo "PostgreSQL not reachable: running the stories on SQLite only"
fi

cargo test --workspace --all-targets "$@"
