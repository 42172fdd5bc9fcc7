#!/usr/bin/env bash
# README command 2: installs the dependencies, builds, and runs the whole test suite
# (unit tests + the ONNX backend conformance suites from libonnx-testdata).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure
