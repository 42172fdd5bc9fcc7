#!/usr/bin/env bash
# Configures and builds the sanitizer variant into build-san: clang, ASan + UBSan (aborting on
# any report), the unit tests, the tools and the libFuzzer targets. Extra arguments are build
# targets (default: all). Needs clang, libclang-rt-14-dev and libomp-14-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${PTQC_JOBS:-$(nproc)}
cmake -S . -B build-san -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DPTQC_SANITIZE=ON \
  -DPTQC_BUILD_FUZZERS=ON -DPTQC_BUILD_BENCH=OFF > build-san.log 2>&1 || { cat build-san.log; exit 1; }
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build-san -j "$jobs" "${targets[@]}" >> build-san.log 2>&1 || { tail -n 60 build-san.log; exit 1; }
rm -f build-san.log
