#!/usr/bin/env bash
# README command 1: installs the Debian packages, builds ptqc, quantizes the bundled AIGC
# example (an x2 super-resolution generator, examples/sr) with an atc-style line and the
# seed-style config, measures it with ptqc-compare and ptqc-bench, and prints one summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "== building ptqc"
scripts/build.sh
ex=examples/sr
out=out/quickstart
mkdir -p "$out"
rm -rf out/sr_calibration   # calibrate for real (a matching record would be reused)

echo "== ptqc (atc-style): $ex/model_fp32.onnx -> $out/sr_int8.om"
build/tools/ptqc --model="$ex/model_fp32.onnx" --framework=5 --output="$out/sr_int8" \
  --soc_version=Ascend310P3 --input_format=NCHW --input_shape="input:1,3,64,64" --log=warning \
  --enable_quantization=true --quantization_config="$ex/quant_data.json"

echo "== ptqc-compare: INT8 .om vs FP32 ONNX on the held-out photos"
build/tools/ptqc-compare --model="$ex/model_fp32.onnx" --om="$out/sr_int8.om" \
  --input_list="$ex/test/list.txt" --data_range=1 --max_samples=4 --report="$out/report"

echo "== ptqc-bench: FP32 ONNX and INT8 .om, 1 thread"
build/tools/ptqc-bench --model="$ex/model_fp32.onnx" --loop=30 --warmup=3 --threads=1 --json="$out/bench_fp32.json" | tail -2
build/tools/ptqc-bench --model="$out/sr_int8.om" --loop=30 --warmup=3 --threads=1 --json="$out/bench_int8.json" | tail -2

json_number() { grep -o "\"$2\": *[-0-9.e+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
onnx_bytes=$(stat -c %s "$ex/model_fp32.onnx")
om_bytes=$(stat -c %s "$out/sr_int8.om")
# The per-output summary: the "mean" right after the first `"psnr_db": {` of compare.json.
psnr=$(awk '/"psnr_db": \{/ {found = 1; next} found && /"mean"/ {gsub(/[^-0-9.e+]/, "", $2); print $2; exit}' "$out/report/compare.json")
fp32_ms=$(json_number "$out/bench_fp32.json" median_ms)
int8_ms=$(json_number "$out/bench_int8.json" median_ms)
echo
awk -v ob="$onnx_bytes" -v mb="$om_bytes" -v p="$psnr" -v f="$fp32_ms" -v i="$int8_ms" 'BEGIN {
  printf "SUMMARY: .om %.1f KB vs ONNX %.1f KB (%.2fx smaller) | PSNR INT8 vs FP32 %.2f dB | latency INT8 %.2f ms vs FP32 %.2f ms (%.2fx)\n",
         mb / 1024, ob / 1024, ob / mb, p, i, f, f / i }'
echo "report: $out/report/compare.html (render to PNG: tools/render_report.sh $out/report/compare.html $out/report.png)"
