#!/usr/bin/env bash
# Process crash test at scale: `cutover run --serve` in tmux, one action per
# round through the team API, kill -9 a few milliseconds after each
# acknowledgement, resume, and check that every acknowledged action is in
# the log and its effect on screen. CI runs 30 rounds; this runs ROUNDS
# (default 1000) and prints the result line recorded in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1000}
start=$(date +%s)
CUTOVER_CRASH_ROUNDS=$rounds cargo test --locked --test crash_process -- --nocapture 2>&1 \
  | grep -E "survived|panicked|test result" || true
echo "rounds: $rounds, wall: $(( $(date +%s) - start )) s, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
