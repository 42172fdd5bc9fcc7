#!/usr/bin/env bash
# Cost against model size: generates chain models of 10^4, 10^5 and 10^6 nodes (every node
# reads the previous one; 1 in 8 is a MatMul with its own 8x8 weight) and times each stage of
# an FP16 compile (ptqc --log=info prints load, shape check, graph passes, .om write), then
# reading the .om back (ptqc --mode=6) and running it once (ptqc-run), and the INT8 compile
# (calibration on one sample, solver, INT8 rewrite) as a whole. Peak RSS from GNU time.
# Prints the markdown table of docs/benchmarks.md ("Cost linear in model size").
#   bench/scale.sh [NODES...]        (default: 10000 100000 1000000; needs scripts/build.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000 1000000)
[ -x /usr/bin/time ] || { echo "needs GNU time (Debian package time)" >&2; exit 2; }
work=${SCALE_DIR:-/tmp/ptqc-scale}
mkdir -p "$work"
stage() { grep -o "\] $1: [0-9.]* s" "$2" | awk '{print $(NF-1)}'; }
mkdir -p "$work/calib"
head -c 32 /dev/zero > "$work/calib/x.bin"  # x: 1x8 float32 zeros
echo "x.bin" > "$work/calib/list.txt"
cat > "$work/quant.json" <<'JSON'
{"dataset_info": {"dataset_path": "calib", "image_list_file": "calib/list.txt"},
 "model_info": {"input_tensor_info": [{"index": 0, "input_name": "x", "input_type": "data"}]},
 "quantize_info": {"act_algo": "minmax"}}
JSON
echo "| nodes | model MB | load s | shape check s | passes s | .om write s | FP16 compile s | peak RSS MB | .om read (mode 6) s | ptqc-run s | INT8 compile s | INT8 peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  model="$work/chain_$n.onnx"
  [ -f "$model" ] || build/bench/ptqc_make_chain_model "$n" "$model"
  /usr/bin/time -f "%e %M" -o "$work/time_$n" build/tools/ptqc --model="$model" --framework=5 --output="$work/chain_$n" \
    --soc_version=Ascend310P3 --log=info > "$work/log_$n" 2>&1
  read -r total rss < "$work/time_$n"
  /usr/bin/time -f "%e" -o "$work/read_$n" build/tools/ptqc --mode=6 --om="$work/chain_$n.om" > /dev/null
  /usr/bin/time -f "%e" -o "$work/run_$n" build/tools/ptqc-run --model="$work/chain_$n.om" --input="$work/calib/x.bin" \
    --output="$work/out_$n" > /dev/null
  /usr/bin/time -f "%e %M" -o "$work/int8_$n" build/tools/ptqc --model="$model" --framework=5 --output="$work/chain_${n}_int8" \
    --soc_version=Ascend310P3 --input_shape=x:1,8 --enable_quantization=true --quantization_config="$work/quant.json" > /dev/null
  read -r int8_total int8_rss < "$work/int8_$n"
  printf '| %s | %.1f | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %.0f |\n' "$n" "$(stat -c %s "$model" | awk '{print $1 / 1e6}')" \
    "$(stage load "$work/log_$n")" "$(stage "shape check" "$work/log_$n")" "$(stage "graph passes" "$work/log_$n")" \
    "$(stage "write .om" "$work/log_$n")" "$total" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" \
    "$(cat "$work/read_$n")" "$(cat "$work/run_$n")" "$int8_total" "$(awk -v k="$int8_rss" 'BEGIN {print k / 1024}')"
done
