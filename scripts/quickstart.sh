#!/usr/bin/env bash
# README command 1: installs the dependencies, builds ptqc, and runs the bundled
# example model through the FP32 executor (ptqc-run) and the benchmark (ptqc-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "== building ptqc"
scripts/build.sh
model=tests/models/torch_cnn
out=out/quickstart
mkdir -p "$out"
echo "== ptqc-run on $model/model.onnx (a small CNN exported by torch.onnx.export)"
build/tools/ptqc-run --model="$model/model.onnx" --input="$model/input_0.bin" --output="$out"
cat "$out/outputs.json"
max_diff=$(paste <(od -An -tf4 -v "$out/output_0.bin" | tr -s ' ' '\n' | grep -v '^$') \
                 <(od -An -tf4 -v "$model/expected_0.bin" | tr -s ' ' '\n' | grep -v '^$') |
           awk '{d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d} END {printf "%.3g", m}')
echo "max |ptqc - torch| over the output: $max_diff"
echo "== ptqc-bench"
build/tools/ptqc-bench --model="$model/model.onnx" --input_shape="input:1,3,32,32" --loop=50 --warmup=5 --threads=1
