#!/usr/bin/env bash
# Real-time soak: `cutover run` (demo runbook + config) under tmux against
# `cutover sim` (demo scenario), sampling the cockpit process's RSS and CPU
# every SOAK_EVERY seconds (default 10) for SOAK_SECS (default 3600) into a CSV.
#   scripts/soak.sh                       # one hour, CSV in target/soak/
#   SOAK_SECS=900 PORT=7793 scripts/soak.sh
# CUTOVER_BIN picks the binary (default: target/debug/cutover, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SOAK_SECS:-3600}
every=${SOAK_EVERY:-10}
port=${PORT:-7792}
bin=${CUTOVER_BIN:-target/debug/cutover}
[ -n "${CUTOVER_BIN:-}" ] || cargo build --quiet --bin cutover
out_dir=target/soak
mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=${SOAK_CSV:-$out_dir/soak-$stamp.csv}
work=$(mktemp -d)
session=cutover-soak-$$
sed "s/127\.0\.0\.1:7700/127.0.0.1:$port/g" config/demo.toml >"$work/config.toml"

"$bin" sim assets/scenarios/demo.toml --listen "127.0.0.1:$port" >"$work/sim.out" 2>&1 &
sim_pid=$!
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  kill "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
tmux new-session -d -s "$session" -x 120 -y 40 \
  "exec $bin run runbooks/demo-pacs-cutover.toml --config $work/config.toml --log $work/cutover.jsonl --as dana"
sleep 2
pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
[ "$(cat /proc/"$pid"/comm)" = cutover ] || { echo "soak: pane runs $(cat /proc/"$pid"/comm), not cutover" >&2; exit 1; }
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat"; }
echo "elapsed_s,rss_kib,cpu_s,cpu_pct_interval,log_bytes,threads" >"$csv"
start=$(date +%s)
prev=$(cpu_ticks)
prev_t=$start
while :; do
  sleep "$every"
  [ -d "/proc/$pid" ] || { echo "soak: cutover exited early" >&2; exit 1; }
  now=$(date +%s)
  ticks=$(cpu_ticks)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  thr=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
  logb=$(stat -c %s "$work/cutover.jsonl" 2>/dev/null || echo 0)
  pct=$(awk -v d=$((ticks - prev)) -v t=$((now - prev_t)) -v hz="$hz" 'BEGIN { printf "%.2f", t ? 100 * d / hz / t : 0 }')
  cpu=$(awk -v c="$ticks" -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }')
  echo "$((now - start)),$rss,$cpu,$pct,$logb,$thr" >>"$csv"
  prev=$ticks
  prev_t=$now
  [ $((now - start)) -lt "$secs" ] || break
done
# the summary the docs quote: RSS first/last/max, mean CPU over the run
awk -F, 'NR == 2 { first = $2 } NR > 1 { last = $2; if ($2 > max) max = $2; n++; cpu = $3; t = $1; logb = $5 }
  END { printf "soak: %d samples over %d s; RSS first %d KiB, last %d KiB, max %d KiB; CPU %.1f s = %.2f%% of a core; log %.1f MiB\n",
        n, t, first, last, max, cpu, 100 * cpu / t, logb / 1048576 }' "$csv"
echo "soak: CSV $csv"
