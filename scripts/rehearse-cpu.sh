#!/usr/bin/env bash
# CPU of a sped-up rehearsal: runs `cutover rehearse` on the EHR runbook at
# --speed 60 in a tmux pane and reads the process's utime+stime from
# /proc/PID/stat over SECONDS_MEASURED of wall time after a start-up pause.
# Usage: scripts/rehearse-cpu.sh [BINARY]  (default target/release/cutover)
# Env: SPEED (60), SECONDS_MEASURED (480), WARMUP (5).
set -euo pipefail
bin=${1:-target/release/cutover}
speed=${SPEED:-60}
measured=${SECONDS_MEASURED:-480}
warmup=${WARMUP:-5}
dir=$(mktemp -d)
trap 'tmux kill-session -t rehearse-cpu 2>/dev/null || true; rm -rf "$dir"' EXIT
tmux new-session -d -s rehearse-cpu -x 160 -y 48 \
  "$bin rehearse runbooks/ehr-wave-cutover.toml --config config/ehr.toml --speed $speed --log $dir/rehearsal.log"
sleep 1
pid=$(pgrep -n -f "rehearse runbooks/ehr-wave-cutover.toml")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep "$warmup"
a=$(ticks); t0=$(date +%s.%N)
sleep "$measured"
b=$(ticks); t1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  cpu = (b - a) / hz; wall = t1 - t0;
  printf "cpu %.2f s over %.1f s wall = %.2f%% of one core (load %s)\n", cpu, wall, 100 * cpu / wall, ld }'
head -c 300 "$dir/rehearsal.log" | grep -o '"ts":"[^"]*"' | head -1
tail -n 1 "$dir/rehearsal.log" | grep -o '"ts":"[^"]*"' | head -1
echo "records: $(wc -l < "$dir/rehearsal.log")"
