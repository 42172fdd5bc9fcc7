#!/usr/bin/env bash
# The sanitizer pass of CI: builds everything with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (any report aborts) into build-san, runs the unit tests (CLI
# bad-input tests included) under them, then every fuzz target for FUZZ_SECONDS (default 30).
#   scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh clang libclang-rt-14-dev libomp-14-dev
scripts/sanitizer-build.sh
echo "== unit tests under ASan + UBSan"
# detect_leaks=0: the leak checker would report the process-lifetime singletons of protobuf and ONNX.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  build-san/tests/ptqc_unit_tests --gtest_brief=1
echo "== fuzz smoke run"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
