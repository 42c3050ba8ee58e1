#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ on a stable toolchain: the same
# SanitizerCoverage flags cargo-fuzz passes for `--sanitizer none` (Rust code
# here forbids `unsafe`, so no ASan is needed). `--target` keeps build scripts
# and proc macros uninstrumented.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
nice cargo build --release --target "$host" --bins "$@"
echo "$PWD/target/$host/release"
