#!/usr/bin/env bash
# Prints docs/accuracy.md's tables for the models of tests/models trained on real data: ptqc's
# INT8 with each algorithm alone and combined and with accuracy_target (and, for the detector,
# PyTorch's FX PTQ), all against FP32 on the model's held-out samples.
#   tools/example/trained_model_table.sh detector|recognizer|gpt|classifier [WORK_DIR]   (default /tmp/ptqc-MODEL, recreated)
# Needs built ptqc tools (PTQC_BIN, default build/tools), python3-torch, python3-onnx, python3-pil.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?usage: trained_model_table.sh detector|recognizer|gpt|classifier [WORK_DIR]}
work=${2:-/tmp/ptqc-$model}
bin=${PTQC_BIN:-build/tools}
rm -rf "$work"
mkdir -p "$work/input"
case "$model" in
  detector) dir=$PWD/tests/models/mobile_detector shape="image:1,64,64,3" layers=27 metric="mask IoU @0.3"
            compare_flags="--mask_threshold=0.3" target='"metric": "cosine", "value": 0.999' label="cosine 0.999" ;;
  recognizer) dir=$PWD/tests/models/text_recognizer shape="image:1,1,32,128" layers=9 metric="per-step top-1"
              compare_flags="" target='"metric": "top1_agreement", "value": 0.995' label="top1_agreement 0.995" ;;
  gpt) dir=$PWD/tests/models/tiny_gpt shape="tokens:1,64" layers=9 metric="next-token top-1"
       compare_flags="" target='"metric": "top1_agreement", "value": 0.98' label="top1_agreement 0.98" ;;
  classifier) dir=$PWD/tests/models/digit_classifier shape="image:1,1,16,16" layers=6 metric="top-1"
              compare_flags="" target='"metric": "top1_agreement", "value": 1.0' label="top1_agreement 1.0" ;;
  *) echo "unknown model $model (detector, recognizer, gpt or classifier)" >&2; exit 2 ;;
esac

# The held-out images as the model's .bin inputs (ptqc-compare), in eval.txt order.
/usr/bin/python3 - "$dir" "$work/input" "$shape" <<'PY'
import os, sys
import numpy as np
from PIL import Image
src, out, shape = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split(":")[1].split(",")]
names = [l.strip() for l in open(os.path.join(src, "eval.txt")) if l.strip()]
for k, name in enumerate(names):
    if name.endswith(".bin"):  # already the model's input (the GPT's token windows)
        os.symlink(os.path.join(src, "calib", name), os.path.join(out, f"{k:04d}.bin"))
        continue
    pixels = np.asarray(Image.open(os.path.join(src, "calib", name))).astype(np.float32) / 255.0
    pixels.reshape(shape).tofile(os.path.join(out, f"{k:04d}.bin"))
open(os.path.join(out, "list.txt"), "w").write("".join(f"{k:04d}.bin\n" for k in range(len(names))))
PY

# config NAME JSON_FOR_QUANTIZE_INFO: a copy of the model's config with absolute paths.
config() {
  sed -e "s#\"./calib\"#\"$dir/calib\"#" -e "s#\"calib.txt\"#\"$dir/calib.txt\"#" \
      -e "s#\"quantize_info\": {}#\"quantize_info\": {$2}#" "$dir/quant.json" > "$work/$1.json"
}
# row LABEL NAME [FLAG...]: compile with $work/NAME.json, compare on the held-out samples, print the row.
row() {
  local start end kept
  start=$(date +%s.%N)
  "$bin/ptqc" --model="$dir/model.onnx" --framework=5 --output="$work/$2" --soc_version=Ascend310P3 \
    --input_shape="$shape" --enable_quantization=true --quantization_config="$work/$2.json" \
    --log=error "${@:3}" > "$work/$2.log"
  end=$(date +%s.%N)
  "$bin/ptqc-compare" --model="$dir/model.onnx" --om="$work/$2.om" --input_list="$work/input/list.txt" \
    $compare_flags --max_samples=0 --report="$work/$2_report" > /dev/null
  kept=$(grep -c "kept in float:" "$work/$2.log" || true)
  /usr/bin/python3 - "$work/$2_report/compare.json" "$1" "$kept" "$start" "$end" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["outputs"][0]["summary"]
last = f"{o['mask_iou']:.4f}" if o.get("mask_iou") is not None else f"{100 * o['top1']:.2f}%"
print(f"| {sys.argv[2]} | {o['cosine']['mean']:.5f} | {o['cosine']['worst']:.5f} | {o['sqnr_db']['mean']:.2f} | "
      f"{last} | {sys.argv[3]} | {float(sys.argv[5]) - float(sys.argv[4]):.2f} s |")
PY
}

eval_list="\"eval_list_file\": \"$dir/eval.txt\""
config default ''
config default_fp32 ''
config no_bc '"bias_correction": false'
config minmax '"act_algo": "minmax"'
config minmax_no_bc '"act_algo": "minmax", "bias_correction": false'
config hfmg '"act_algo": "hfmg"'
config percentile '"act_algo": "percentile"'
config adaround '"wts_algo": "adaround"'
config hfmg_adaround '"act_algo": "hfmg", "wts_algo": "adaround"'
config act_matmul '"activation_matmul": true'
config cle '"cross_layer_equalization": true'
config cle_adaround '"cross_layer_equalization": true, "wts_algo": "adaround"'
config target "\"accuracy_target\": {$target, $eval_list}"
config target_held_out "\"accuracy_target\": {$target}"
config target_all "\"act_algo\": \"hfmg\", \"wts_algo\": \"adaround\", \"accuracy_target\": {$target, $eval_list}"

echo "| ptqc config (held-out samples) | cosine mean | cosine worst | SQNR dB mean | $metric | layers kept float (of $layers) | compile |"
echo "|---|---|---|---|---|---|---|"
row "default (ifmr, bias correction)" default
row "bias_correction false" no_bc
row "act_algo minmax" minmax
row "act_algo minmax, bias_correction false" minmax_no_bc
row "act_algo hfmg" hfmg
row "act_algo percentile" percentile
row "wts_algo adaround" adaround
row "act_algo hfmg, wts_algo adaround" hfmg_adaround
row "default, --precision_mode=force_fp32" default_fp32 --precision_mode=force_fp32
if [ "$model" != gpt ]; then  # the GPT has no convolutions to equalize
  row "cross_layer_equalization true" cle
  row "cross_layer_equalization true, wts_algo adaround" cle_adaround
fi
if [ "$model" = recognizer ] || [ "$model" = gpt ]; then  # the others have no activation x activation MatMul
  row "activation_matmul true (Q·Kᵀ, P·V in INT8)" act_matmul
fi
row "accuracy_target $label (eval_list_file)" target
row "accuracy_target $label (held-out calibration quarter)" target_held_out
row "hfmg, adaround, accuracy_target $label (eval_list_file)" target_all
if [ "$model" = detector ]; then
  echo "| $(/usr/bin/python3 tests/models/mobile_detector_torch_ptq.py "$work/torch") | - | - |"
fi
