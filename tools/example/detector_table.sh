#!/usr/bin/env bash
# Prints docs/accuracy.md's table for the mobile detector (tests/models/mobile_detector): ptqc's
# INT8 with each algorithm alone and combined, with accuracy_target, and PyTorch's FX PTQ, all
# against FP32 on the 8 held-out photos.
#   tools/example/detector_table.sh [WORK_DIR]      (default /tmp/ptqc-detector, recreated)
# Needs built ptqc tools (PTQC_BIN, default build/tools), python3-torch, python3-onnx, python3-pil.
set -euo pipefail
cd "$(dirname "$0")/../.."
det=$PWD/tests/models/mobile_detector
work=${1:-/tmp/ptqc-detector}
bin=${PTQC_BIN:-build/tools}
rm -rf "$work"
mkdir -p "$work"

# The held-out inputs as .bin (ptqc-compare), FP32 references, and torch's own PTQ row.
torch_row=$(/usr/bin/python3 tests/models/mobile_detector_torch_ptq.py "$work/torch")

# config NAME JSON_FOR_QUANTIZE_INFO: a copy of the detector's config with absolute paths.
config() {
  sed -e "s#\"./calib\"#\"$det/calib\"#" -e "s#\"calib.txt\"#\"$det/calib.txt\"#" \
      -e "s#\"quantize_info\": {}#\"quantize_info\": {$2}#" "$det/quant.json" > "$work/$1.json"
}
# row LABEL NAME [FLAG...]: compile with $work/NAME.json, compare on the held-out photos, print the row.
row() {
  local start end
  start=$(date +%s.%N)
  "$bin/ptqc" --model="$det/model.onnx" --framework=5 --output="$work/$2" --soc_version=Ascend310P3 \
    --input_shape="image:1,64,64,3" --enable_quantization=true --quantization_config="$work/$2.json" \
    --log=error "${@:3}" > "$work/$2.log"
  end=$(date +%s.%N)
  "$bin/ptqc-compare" --model="$det/model.onnx" --om="$work/$2.om" --input_list="$work/torch/input/list.txt" \
    --mask_threshold=0.3 --max_samples=0 --report="$work/$2_report" > /dev/null
  local kept
  kept=$(grep -c "kept in float:" "$work/$2.log" || true)
  /usr/bin/python3 - "$work/$2_report/compare.json" "$1" "$kept" "$start" "$end" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["outputs"][0]["summary"]
print(f"| {sys.argv[2]} | {o['cosine']['mean']:.5f} | {o['cosine']['worst']:.5f} | {o['sqnr_db']['mean']:.2f} | "
      f"{o['mask_iou']:.4f} | {sys.argv[3]} | {float(sys.argv[5]) - float(sys.argv[4]):.2f} s |")
PY
}

config default ''
config no_bc '"bias_correction": false'
config minmax '"act_algo": "minmax"'
config minmax_no_bc '"act_algo": "minmax", "bias_correction": false'
config hfmg '"act_algo": "hfmg"'
config percentile '"act_algo": "percentile"'
config adaround '"wts_algo": "adaround"'
config hfmg_adaround '"act_algo": "hfmg", "wts_algo": "adaround"'
config target_cos '"accuracy_target": {"metric": "cosine", "value": 0.999, "eval_list_file": "'"$det"'/eval.txt"}'
config target_sqnr '"accuracy_target": {"metric": "sqnr_db", "value": 30, "eval_list_file": "'"$det"'/eval.txt"}'
config target_all '"act_algo": "hfmg", "wts_algo": "adaround", "accuracy_target": {"metric": "cosine", "value": 0.999, "eval_list_file": "'"$det"'/eval.txt"}'
config target_held_out '"accuracy_target": {"metric": "cosine", "value": 0.999}'

echo "| ptqc config (held-out photos) | cosine mean | cosine worst | SQNR dB mean | mask IoU @0.3 | layers kept float (of 27) | compile |"
echo "|---|---|---|---|---|---|---|"
row "default (ifmr, bias correction)" default
row "bias_correction false" no_bc
row "act_algo minmax" minmax
row "act_algo minmax, bias_correction false" minmax_no_bc
row "act_algo hfmg" hfmg
row "act_algo percentile" percentile
row "wts_algo adaround" adaround
row "act_algo hfmg, wts_algo adaround" hfmg_adaround
row "default, --precision_mode=force_fp32" default --precision_mode=force_fp32
row "accuracy_target cosine 0.999 (eval_list_file)" target_cos
row "accuracy_target sqnr_db 30 (eval_list_file)" target_sqnr
row "accuracy_target cosine 0.999 (held-out calibration quarter)" target_held_out
row "hfmg, adaround, accuracy_target cosine 0.999 (eval_list_file)" target_all
echo "| $torch_row | - | - |" | sed 's/^| torch/| torch/'
