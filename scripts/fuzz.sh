#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; scripts/sanitizer-build.sh) and runs each for
# SECONDS (default 60) on its seed corpus fuzz/corpus/<target>/ (read only; new inputs go to
# build-san/corpus/<target>/, crashes to build-san/artifacts/). The ONNX backend node tests
# of libonnx-testdata are extra seeds for the model loader. Exits non-zero on any finding.
#   scripts/fuzz.sh [SECONDS] [TARGET...]    targets: onnx_model quant_config calibration_data om_reader
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(onnx_model quant_config calibration_data om_reader)
scripts/install-deps.sh clang libclang-rt-14-dev libomp-14-dev
scripts/sanitizer-build.sh "${targets[@]/#/fuzz_}"
mkdir -p build-san/artifacts
status=0
for t in "${targets[@]}"; do
  mkdir -p "build-san/corpus/$t"
  seeds=("fuzz/corpus/$t")
  [ "$t" = onnx_model ] && [ -d /usr/share/libonnx-testdata/data/node ] && seeds+=(/usr/share/libonnx-testdata/data/node)
  echo "== fuzz_$t: ${seconds} s"
  # -rss_limit_mb=0: no RSS-watching thread, so the process stays single-threaded and the model
  # loader's fork (ONNX's opset converter runs in a child) cannot inherit a held allocator lock.
  # Memory stays bounded by the targets' own limit of 64 MiB per tensor.
  if ! "build-san/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=0 -print_final_stats=1 \
      -artifact_prefix="build-san/artifacts/$t-" "build-san/corpus/$t" "${seeds[@]}" > "build-san/fuzz_$t.log" 2>&1; then
    status=1
    echo "fuzz_$t FOUND A PROBLEM: build-san/fuzz_$t.log, inputs in build-san/artifacts/"
    grep -E "ERROR|SUMMARY|runtime error" "build-san/fuzz_$t.log" | head -n 5 || true
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "build-san/fuzz_$t.log" | tail -n 2 || true
done
exit "$status"
