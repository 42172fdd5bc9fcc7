#!/usr/bin/env bash
# Installs ptqc's build and test dependencies from Debian 12 packages (idempotent).
# Extra package names given as arguments are installed too (scripts/fuzz.sh adds clang's).
set -euo pipefail
# ocl-icd-opencl-dev: libdnnl-dev's CMake package calls find_package(OpenCL REQUIRED), but
# the package only Recommends the OpenCL headers, and --no-install-recommends skips them.
packages=(cmake g++ make pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler libcli11-dev nlohmann-json3-dev
  libspdlog-dev libeigen3-dev libgtest-dev libonnx-testdata libssl-dev libstb-dev libdnnl-dev
  ocl-icd-opencl-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
