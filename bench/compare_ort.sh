#!/usr/bin/env bash
# ptqc FP32 executor vs ONNX Runtime CPU on the same models, same thread count, interleaved
# in one run. Prints a markdown table for docs/benchmarks.md.
#   bench/compare_ort.sh [THREADS] [ROUNDS]
# Needs: a built ptqc (scripts/build.sh), python3-torch + python3-onnx to make the models,
# and onnxruntime-node in $ORT_DIR (default /tmp/ort): see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
rounds=${2:-3}
models=${BENCH_MODELS:-/tmp/ptqc-bench-models}
ort_dir=${ORT_DIR:-/tmp/ort}
[ -f "$models/detector.onnx" ] || /usr/bin/python3 bench/make_models.py "$models" > /dev/null 2>&1
export NODE_PATH="$ort_dir/node_modules"

declare -A shape=([detector]="1,3,640,640" [transformer]="1,128,256" [mobilenet]="1,3,224,224")
declare -A loops=([detector]=5 [transformer]=20 [mobilenet]=20)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| model | input | ptqc ms (median) | ORT ms (median) | ptqc/ORT throughput |"
echo "|---|---|---|---|---|"
for m in detector transformer mobilenet; do
  : > "$tmp/p"; : > "$tmp/o"
  for ((r = 0; r < rounds; r++)); do
    build/tools/ptqc-bench --model="$models/$m.onnx" --threads="$threads" --loop="${loops[$m]}" --warmup=2 \
      --json="$tmp/p.json" > /dev/null
    grep -o '"median_ms": [0-9.e+-]*' "$tmp/p.json" | awk '{print $2}' >> "$tmp/p"
    ORT_BENCH_SHAPE="[${shape[$m]}]" node bench/ort_bench.js "$models/$m.onnx" "$threads" "${loops[$m]}" 2 |
      grep -o '"median_ms":[0-9.e+-]*' | cut -d: -f2 >> "$tmp/o"
  done
  p=$(median < "$tmp/p"); o=$(median < "$tmp/o")
  awk -v m="$m" -v s="${shape[$m]}" -v p="$p" -v o="$o" \
    'BEGIN {printf "| %s | %s | %.2f | %.2f | %.2fx |\n", m, s, p, o, o / p}'
done
echo
echo "threads=$threads, $rounds interleaved rounds, median of medians; $(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
