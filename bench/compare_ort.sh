#!/usr/bin/env bash
# ptqc FP32 (the ONNX model), ptqc INT8 (the .om ptqc compiles from it) and ONNX Runtime CPU
# FP32 on the same models, same thread count, interleaved in one run so all three see the same
# machine load. Prints a markdown table for docs/benchmarks.md.
#   bench/compare_ort.sh [THREADS] [ROUNDS] [MODEL...]
# Needs: a built ptqc (scripts/build.sh), python3-torch + python3-onnx to make the models,
# and onnxruntime-node in $ORT_DIR (default /tmp/ort): see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
rounds=${2:-3}
shift $(($# < 2 ? $# : 2))
models=${BENCH_MODELS:-/tmp/ptqc-bench-models}
ort_dir=${ORT_DIR:-/tmp/ort}
[ -f "$models/recognizer.onnx" ] || /usr/bin/python3 bench/make_models.py "$models" > /dev/null 2>&1
export NODE_PATH="$ort_dir/node_modules"

declare -A shape=([detector]="1,3,640,640" [linedet]="1,3,640,640" [face]="1,3,640,640" [srgen]="1,3,128,128"
                  [recognizer]="1,3,48,320" [transformer]="1,128,256" [mobilenet]="1,3,224,224")
declare -A loops=([detector]=5 [linedet]=5 [face]=10 [srgen]=5 [recognizer]=20 [transformer]=20 [mobilenet]=20)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(detector linedet face srgen recognizer transformer mobilenet)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The INT8 .om of model $1: calibrated on 4 seeded uniform [0, 1) samples (speed does not depend
# on the data), default quantize_info (bias correction, FP16 float layers).
compile_int8() {
  local m=$1 dir="$tmp/$1"
  mkdir -p "$dir/calib"
  /usr/bin/python3 - "$dir/calib" "${shape[$m]}" <<'EOF'
import sys
import numpy as np
rng = np.random.default_rng(0)
dims = tuple(int(d) for d in sys.argv[2].split(","))
with open(sys.argv[1] + "/list.txt", "w") as f:
    for i in range(4):
        rng.random(dims, dtype=np.float32).tofile(f"{sys.argv[1]}/s{i}.bin")
        f.write(f"s{i}.bin\n")
EOF
  cat > "$dir/quant.json" <<EOF
{"dataset_info": {"dataset_path": "./calib", "image_list_file": "calib/list.txt"},
 "model_info": {"input_tensor_info": [{"input_name": "input", "input_type": "data"}]}, "quantize_info": {}}
EOF
  build/tools/ptqc --model="$models/$m.onnx" --framework=5 --output="$dir/int8" --soc_version=Ascend310P3 \
    --input_shape="input:${shape[$m]}" --enable_quantization=true --quantization_config="$dir/quant.json" \
    --log=error > /dev/null
}

ptqc_ms() {  # model file, loops
  build/tools/ptqc-bench --model="$1" --threads="$threads" --loop="$2" --warmup=2 --json="$tmp/p.json" > /dev/null
  grep -o '"median_ms": [0-9.e+-]*' "$tmp/p.json" | awk '{print $2}'
}

echo "| model | input | ptqc FP32 ms | ptqc INT8 ms | ORT FP32 ms | FP32 vs ORT | INT8 vs ORT | INT8 vs FP32 |"
echo "|---|---|---|---|---|---|---|---|"
for m in "${names[@]}"; do
  compile_int8 "$m"
  : > "$tmp/f"; : > "$tmp/i"; : > "$tmp/o"
  for ((r = 0; r < rounds; r++)); do
    ptqc_ms "$models/$m.onnx" "${loops[$m]}" >> "$tmp/f"
    ptqc_ms "$tmp/$m/int8.om" "${loops[$m]}" >> "$tmp/i"
    ORT_BENCH_SHAPE="[${shape[$m]}]" node bench/ort_bench.js "$models/$m.onnx" "$threads" "${loops[$m]}" 2 |
      grep -o '"median_ms":[0-9.e+-]*' | cut -d: -f2 >> "$tmp/o"
  done
  f=$(median < "$tmp/f"); i=$(median < "$tmp/i"); o=$(median < "$tmp/o")
  awk -v m="$m" -v s="${shape[$m]}" -v f="$f" -v i="$i" -v o="$o" 'BEGIN {
    printf "| %s | %s | %.2f | %.2f | %.2f | %.2fx | %.2fx | %.2fx |\n", m, s, f, i, o, o / f, o / i, f / i }'
done
echo
echo "threads=$threads, $rounds interleaved rounds, median of medians (ratios: throughput, > 1 is faster);" \
  "$(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
