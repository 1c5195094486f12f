#!/usr/bin/env bash
# The soak (not in CI): the whole pipeline with the gateway simulator on a
# private PostgreSQL server and a private RabbitMQ node (never the machine's
# shared ones), for SOAK_MINUTES (default 20), while workers, the broker node
# and the database are killed and restarted at random (seeded by SOAK_SEED,
# every action logged with its time). At the end every invariant is checked
# (each registration stored once, every wave's audit MATCH, every entitlement
# instructed and paid once, the ledger reconciled, the outbox drained) and
# the figures are written to SOAK_REPORT (default target/soak-report.json).
#
#   deploy/soak.sh                      20 minutes, seed 1
#   SOAK_MINUTES=60 SOAK_SEED=7 deploy/soak.sh
#
# SOAK_WAVES (12, at most 14) waves of SOAK_REGISTRATIONS (40000) registrations each.
# It runs the test soak::the_pipeline_keeps_every_invariant_under_random_faults
# (tests/it/soak.rs) at low priority; its log is the test's output.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export SOAK_MINUTES="${SOAK_MINUTES:-20}" SOAK_SEED="${SOAK_SEED:-1}"
export SOAK_WAVES="${SOAK_WAVES:-12}" SOAK_REGISTRATIONS="${SOAK_REGISTRATIONS:-40000}"
export SOAK_REPORT="${SOAK_REPORT:-${CARGO_TARGET_DIR:-$ROOT/target}/soak-report.json}"
exec nice -n 10 cargo nextest run -p workers --test it \
    -E 'test(=soak::the_pipeline_keeps_every_invariant_under_random_faults)' \
    --no-capture "$@"
