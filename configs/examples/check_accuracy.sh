#!/usr/bin/env bash
# CI gate: compile a model to INT8 and fail (exit 1) when its PSNR against FP32 on a
# held-out list drops below a threshold.
#   configs/examples/check_accuracy.sh MODEL.onnx CONFIG.json INPUT_SHAPE TEST_LIST [MIN_PSNR_DB=40] [SOC=Ascend310P3]
# Example (from the repository root):
#   configs/examples/check_accuracy.sh examples/sr/model_fp32.onnx examples/sr/quant_data.json \
#       "input:1,3,64,64" examples/sr/test/list.txt 40
set -euo pipefail
model=$1 config=$2 shape=$3 list=$4 min_psnr=${5:-40} soc=${6:-Ascend310P3}
bin=${PTQC_BIN:-build/tools}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/ptqc" --model="$model" --framework=5 --output="$work/model_int8" --soc_version="$soc" \
  --input_shape="$shape" --enable_quantization=true --quantization_config="$config" --log=error > "$work/ptqc.log" ||
  { cat "$work/ptqc.log"; echo "FAIL: compilation failed"; exit 1; }
"$bin/ptqc-compare" --model="$model" --om="$work/model_int8.om" --input_list="$list" --data_range=1 \
  --max_samples=0 --report="$work/report" > /dev/null
psnr=$(awk '/"psnr_db": \{/ {found = 1; next} found && /"mean"/ {gsub(/[^-0-9.e+]/, "", $2); print $2; exit}' "$work/report/compare.json")
if awk -v p="$psnr" -v m="$min_psnr" 'BEGIN {exit !(p >= m)}'; then
  echo "PASS: PSNR INT8 vs FP32 $psnr dB >= $min_psnr dB ($model)"
else
  echo "FAIL: PSNR INT8 vs FP32 $psnr dB < $min_psnr dB ($model)"
  exit 1
fi
