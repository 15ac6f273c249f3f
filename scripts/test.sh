#!/usr/bin/env bash
# Runs every check and test of Tongchou: formatting, clippy -D warnings (in the same compile as
# the tests), domain tables, stories on SQLite and PostgreSQL, HTTP tests,
# the browser journeys in headless Chromium, and the binary's smoke tests. Then, to show the
# suite depends on no particular day, runs it again (all but the browser journeys) with the
# test clock in 2027 and in 2030 (years the holiday table lacks), on SQLite. Prints the
# time of each phase, and drops the test databases and scratch files it made.
#
# PostgreSQL: uses TEST_DATABASE_URL when set; otherwise starts the local cluster if it is
# installed but down, and uses postgres://postgres@127.0.0.1:5432/test. With
# REQUIRE_POSTGRES=1 (CI) a missing PostgreSQL is an error instead of a skipped backend.
# TEST_DAYS overrides the extra test days (space-separated YYYY-MM-DD; empty for none).
set -euo pipefail
cd "$(dirname "$0")/.."

t0=$(date +%s)
# The fault scenarios append their figures here; the summary prints them.
figures="${CARGO_TARGET_DIR:-target}/fault-figures.txt"
phase_start=$t0
phases=()
phase() {
  local now; now=$(date +%s)
  if [ -n "${phase_name:-}" ]; then phases+=("$(printf '%-44s %5ss' "$phase_name" $((now - phase_start)))"); fi
  phase_name="$*"; phase_start=$now
  echo; echo "--- $* (at $((now - t0))s)"
}
drop_test_databases() {
  [ -n "${TEST_DATABASE_URL:-}" ] || return 0
  # Each test makes its own database t_* (copied from a template, itself a t_tpl_* database).
  psql "$TEST_DATABASE_URL" -qAt -c "SELECT 'DROP DATABASE IF EXISTS ' || datname || ';' FROM pg_database WHERE datname LIKE 't\_%'" \
    | psql "$TEST_DATABASE_URL" -q >/dev/null 2>&1 || true
  # The disk-full story's tablespaces (on a tmpfs of its own): a database left in one whose
  # filesystem is gone would make every checkpoint of the cluster fail.
  psql "$TEST_DATABASE_URL" -qAt -c "SELECT 'DROP TABLESPACE IF EXISTS ' || spcname || ';' FROM pg_tablespace WHERE spcname LIKE 't\_%'" \
    | psql "$TEST_DATABASE_URL" -q >/dev/null 2>&1 || true
}
summary() {
  local rc=$?
  phase ""
  drop_test_databases
  rm -rf "${TMPDIR:-/tmp}"/tongchou-* 2>/dev/null || true
  echo "=== test phases"; printf '%s\n' "${phases[@]}"; echo "total $(( $(date +%s) - t0 ))s"
  # What the fault scenarios measured (each appends a line; SECURITY.md, issue 10 item 11).
  if [ -s "$figures" ]; then echo "=== fault scenarios"; cat "$figures"; fi
  exit $rc
}
trap summary EXIT

phase "install test dependencies"
scripts/install-test-deps.sh

phase "PostgreSQL"
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
  # Drop what an interrupted run left: test databases, and the schemas of older versions of
  # the kit.
  drop_test_databases
  psql "$TEST_DATABASE_URL" -qAt -c "SELECT 'DROP SCHEMA ' || nspname || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 't\_%'" \
    | psql "$TEST_DATABASE_URL" -q >/dev/null 2>&1 || true
elif [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable on 127.0.0.1:5432" >&2
  exit 1
else
  echo "PostgreSQL not reachable: running the stories on SQLite only"
fi

phase "cargo fmt --check"
cargo fmt --all --check

# Lints and the test build in one compile: clippy's driver wraps rustc for the workspace's own
# crates (the dependencies build with plain rustc), with -D warnings, so the graph is compiled
# once instead of once for `cargo clippy` and again for the tests. Every cargo call below keeps
# the same wrapper, so none of them rebuilds.
export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER-clippy-driver}"
export CLIPPY_ARGS="${CLIPPY_ARGS--D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__}"
# Every target that tests (`--tests`), which, unlike --all-targets, leaves out the unit-test
# harnesses a crate turns off with `test = false`: web keeps its tests in tests/it, and a second
# compile of its library for an empty harness cost 14 s of a clean build. Those libraries and
# binaries are still built, and linted, as what the tests use; examples say `test = true`.
targets=(--tests)
# A crate without a harness would never compile a unit test someone adds: refuse one.
for src in crates/web/src crates/demo/src crates/tongchou/src/main.rs; do
  if grep -rl '#\[cfg(test)\]' "$src" >/dev/null 2>&1; then
    echo "$src has a #[cfg(test)] module, but its crate builds no unit-test harness (test = false): move it to tests/it" >&2
    exit 1
  fi
done
phase "build the tests, with clippy -D warnings on every target of the workspace"
cargo test --workspace "${targets[@]}" --no-run "$@"

rm -f "$figures"
phase "tests on SQLite and PostgreSQL (test clock on the default day)"
cargo test --workspace "${targets[@]}" "$@"

# The other days re-run every story, table and HTTP test; the browser journeys (a minute a
# pass: they drive pages whose dates the stories and HTTP tests already check on every day)
# and the long fault scenarios (testkit::long_scenario_runs) run in the default day's pass
# only, and the other days run on SQLite only, which keeps CI within its 15 minutes on a slow
# 2-core machine.
skip=(-- --skip browser)
for a in "$@"; do [ "$a" = "--" ] && skip=(--skip browser); done
for day in ${TEST_DAYS-2027-12-20 2030-03-11}; do
  phase "tests with the test clock on $day (browser journeys on the default day only)"
  drop_test_databases
  # On SQLite: what a date changes is decided above the store (dates are kept as text and
  # compared alike on both engines), and PostgreSQL ran every story on the default day.
  env -u TEST_DATABASE_URL TONGCHOU_TEST_TODAY=$day cargo test --workspace "${targets[@]}" "$@" "${skip[@]}"
done
