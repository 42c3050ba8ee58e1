#!/usr/bin/env bash
# The wired cockpit's CPU with 30 probes at 5 s, and its first frame, as
# docs/performance.md reports them. Needs a release build and tmux:
#   cargo build --release && scripts/cockpit-cpu.sh [SECONDS]
# (CUTOVER_BIN: another cutover binary, e.g. an older build to compare)
# With PROBE_LOAD_BIN set to the release probe_load bench binary (path from
# `cargo bench --bench probe_load --no-run`), the probe engine alone runs the
# same 30 probes at 5 s over the same window, for its CPU per attempt.
set -euo pipefail
secs=${1:-120}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CUTOVER_BIN:-$root/target/release/cutover}"
runbook="$root/runbooks/demo-pacs-cutover.toml"
work=$(mktemp -d)
trap 'tmux kill-session -t cc-sim 2>/dev/null || true; tmux kill-session -t cc-run 2>/dev/null || true; rm -rf "$work"' EXIT

# the demo config at 5 s, plus 16 probes of 8 more systems: 30 in all
sed -e 's/^interval = "1s"/interval = "5s"/' -e 's/^stale_after = "10s"/stale_after = "20s"/' \
  "$root/config/demo.toml" > "$work/cpu.toml"
for i in 1 2 3 4 5 6 7 8; do
  for kind in health latency; do
    printf '\n[[probe]]\nside = "target"\nsystem = "aux%s"\nkind = "%s"\nurl = "http://127.0.0.1:7700/target/aux%s/%s"\n' \
      "$i" "$kind" "$i" "$kind" >> "$work/cpu.toml"
  done
done
"$bin" check "$runbook" --config "$work/cpu.toml" >/dev/null

tmux new-session -d -s cc-sim "$bin sim demo --listen 127.0.0.1:7700"
sleep 1
t0=$(date +%s%N)
tmux new-session -d -s cc-run -x 120 -y 40 \
  "exec $bin run $runbook --config $work/cpu.toml --log $work/cpu.jsonl --as dana"
until tmux capture-pane -p -t cc-run 2>/dev/null | grep -q "Phase 0"; do sleep 0.005; done
t1=$(date +%s%N)
echo "first frame: $(( (t1 - t0) / 1000000 )) ms"

pid=$(tmux display -p -t cc-run '#{pane_pid}')
hz=$(getconf CLK_TCK)
# CPU ticks per thread name (the screen loop is the main thread, `cutover`)
threads() {
  for t in /proc/"$pid"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm")" "$(awk '{ sub(/^.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "$t/stat")"
  done | awk -F'\t' '{ c[$1] += $2 } END { for (n in c) print n "\t" c[n] }' | sort
}
sleep 5 # let the first probes and the log's start-up settle
if [ -n "${PROBE_LOAD_BIN:-}" ]; then
  (cd "$root" && BENCH_PROBES=30 BENCH_INTERVAL=5 BENCH_SECS="$secs" BENCH_PHASES=pooled \
    "$PROBE_LOAD_BIN" > "$work/engine.txt" 2>&1) &
  engine=$!
fi
threads > "$work/threads0"
a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$secs"
b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
threads > "$work/threads1"
awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" \
  'BEGIN { cpu = (b - a) / hz; printf "CPU: %.2f s in %d s = %.2f%% of one core; per report (30 probes at 5 s): %.2f ms\n", cpu, s, 100 * cpu / s, 1000 * cpu / (s * 6) }'
echo "by thread (CPU s over the window; threads that ended meanwhile are missing):"
join -t "$(printf '\t')" -a 2 -e 0 -o 0,1.2,2.2 "$work/threads0" "$work/threads1" |
  awk -F'\t' -v hz="$hz" '{ printf "  %-18s %.2f\n", $1, ($3 - $2) / hz }'
if [ -n "${engine:-}" ]; then
  wait "$engine" || true
  echo "probe engine alone, same window:"
  sed 's/^/  /' "$work/engine.txt"
fi
