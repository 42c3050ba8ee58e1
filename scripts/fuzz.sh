#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECS seconds (default 60), one at a
# time under `nice`, then merges what it found into the kept corpus
# (fuzz/corpus/TARGET, minimised with -merge=1, capped at FUZZ_MAX_FILES files).
# tests/fuzz_corpus.rs replays that corpus in `cargo test`.
#   scripts/fuzz.sh                 # all targets, 60 s each
#   FUZZ_SECS=300 scripts/fuzz.sh expr verify
# Crashes are written to fuzz/artifacts/TARGET/ (add them to the corpus as
# regression inputs once fixed). Needs only stable Rust and a C++ compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECS:-60}
max_files=${FUZZ_MAX_FILES:-200}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(runbook config expr verify prom checksum)
bin_dir=$(scripts/fuzz-build.sh | tail -1)
work=target/fuzz-work
mkdir -p "$work"
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "fuzz/artifacts/$t"
  cp -n fuzz/corpus/"$t"/* "$work/$t/" 2>/dev/null || true
  echo "== $t: ${secs}s"
  set +e
  nice "$bin_dir/$t" "$work/$t" -max_total_time="$secs" -max_len=16384 -rss_limit_mb=1024 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" 2>"$work/$t.log"
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)|==ERROR|panicked|^SUMMARY" "$work/$t.log" || true
  [ $rc -eq 0 ] || echo "!! $t exited $rc: see $work/$t.log and fuzz/artifacts/$t/"
  # keep a minimal corpus covering the same features
  rm -rf "$work/$t.min" && mkdir -p "$work/$t.min"
  nice "$bin_dir/$t" -merge=1 "$work/$t.min" "$work/$t" >/dev/null 2>&1 || true
  # the repo stays lean: at most $max_files files and 1 MiB per target, the
  # smallest first (the full minimised set stays in $work/$t.min)
  if [ -n "$(ls -A "$work/$t.min")" ]; then
    rm -f fuzz/corpus/"$t"/*
    total=0
    while read -r size f; do
      [ $((total + size)) -le 1048576 ] || break
      cp "$f" fuzz/corpus/"$t"/ && total=$((total + size))
    done < <(find "$work/$t.min" -type f -printf '%s %p\n' | sort -n | head -n "$max_files")
  fi
  echo "   kept corpus: $(find fuzz/corpus/"$t" -type f | wc -l) files, $(du -sk fuzz/corpus/"$t" | cut -f1) KiB"
done
