#!/usr/bin/env bash
# Prints docs/accuracy.md's table: INT8 accuracy of ptqc (each activation algorithm, .bin and
# PNG calibration, FP32 and FP16 model) and of PyTorch's FX PTQ on the examples/sr model, with
# the FP32, FP16 and bicubic baselines, all on the 16 held-out samples.
#   tools/example/accuracy_table.sh [WORK_DIR]      (default /tmp/ptqc-accuracy, recreated)
# Needs built ptqc tools (PTQC_BIN, default build/tools), python3-numpy and python3-torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
ex=$PWD/examples/sr
work=${1:-/tmp/ptqc-accuracy}
bin=${PTQC_BIN:-build/tools}
py=/usr/bin/python3
tools=tools/example
rm -rf "$work"
mkdir -p "$work"

kb() { echo "$(( ($(stat -c %s "$1") + 500) / 1000 )) KB"; }
scores() { $py $tools/evaluate.py --test="$ex/test/list.txt" --bicubic="$work/bicubic" --markdown "$1"; }
# run_model NAME MODEL LIST: ptqc-run on every sample of LIST into $work/NAME.
run_model() { "$bin/ptqc-run" --model="$2" --input_list="$3" --output="$work/$1" > /dev/null; }
# compile NAME MODEL [FLAG...]: .om at $work/NAME.om.
compile() {
  "$bin/ptqc" --model="$2" --framework=5 --output="$work/$1" --soc_version=Ascend310P3 \
    --input_shape="input:1,3,64,64" --log=error "${@:3}" > /dev/null
}
# quantize NAME MODEL CONFIG [FLAG...]: INT8 .om at $work/NAME.om.
quantize() { compile "$1" "$2" --enable_quantization=true --quantization_config="$3" "${@:4}"; }

$py $tools/bicubic.py "$ex" "$work/bicubic"
# FP16 copies of the held-out inputs for model_fp16.onnx (FP16 I/O), listed like test/list.txt.
mkdir -p "$work/lr16"
sed 's|^lr/|lr16/|' "$ex/test/list.txt" > "$work/list16.txt"
$py -c "
import numpy as np
for name in open('$work/list16.txt').read().split():
    np.fromfile('$ex/test/lr/' + name[5:], np.float32).astype(np.float16).tofile('$work/' + name)
"

echo "| model | PSNR vs FP32 (dB) | PSNR vs ground truth (dB) | correction SNR (dB) | size |"
echo "|---|---|---|---|---|"
echo "| bicubic upscale (no model) $(scores "$work/bicubic") — |"
run_model fp32 "$ex/model_fp32.onnx" "$ex/test/list.txt"
echo "| FP32 ONNX, ptqc-run $(scores "$work/fp32") $(kb "$ex/model_fp32.onnx") |"
run_model fp16 "$ex/model_fp16.onnx" "$work/list16.txt"
echo "| FP16 ONNX, ptqc-run $(scores "$work/fp16") $(kb "$ex/model_fp16.onnx") |"
compile float "$ex/model_fp32.onnx"
run_model float "$work/float.om" "$ex/test/list.txt"
echo "| ptqc without quantization (default force_fp16) $(scores "$work/float") $(kb "$work/float.om") |"
for scope in all conv; do
  $py $tools/torch_ptq.py "$ex" "$work/torch_$scope" --scope=$scope > /dev/null 2> "$work/torch_$scope.log"
  echo "| torch FX PTQ (onednn, scope $scope) $(scores "$work/torch_$scope") $(kb "$work/torch_$scope/model_int8.pt") (state_dict) |"
done
for algo in minmax percentile ifmr hfmg; do
  # The data config with this act_algo and its paths made absolute.
  sed -e "s|\"act_algo\": \"ifmr\"|\"act_algo\": \"$algo\"|" -e "s|\"dataset_path\": \"\./|\"dataset_path\": \"$ex/|" \
    -e "s|\"image_list_file\": \"|\"image_list_file\": \"$ex/|" -e "s|\"out_file_path\": \"[^\"]*\"|\"out_file_path\": \"$work/record_$algo\"|" \
    "$ex/quant_data.json" > "$work/quant_$algo.json"
  quantize "int8_$algo" "$ex/model_fp32.onnx" "$work/quant_$algo.json"
  run_model "int8_$algo" "$work/int8_$algo.om" "$ex/test/list.txt"
  label="ptqc act_algo $algo"
  [ "$algo" = ifmr ] && label="ptqc act_algo ifmr (default)"
  echo "| $label $(scores "$work/int8_$algo") $(kb "$work/int8_$algo.om") |"
done
sed 's|"act_algo": "ifmr"|"act_algo": "ifmr", "bias_correction": false|' "$work/quant_ifmr.json" > "$work/quant_no_bc.json"
quantize int8_no_bc "$ex/model_fp32.onnx" "$work/quant_no_bc.json"
run_model int8_no_bc "$work/int8_no_bc.om" "$ex/test/list.txt"
echo "| ptqc ifmr, bias_correction false $(scores "$work/int8_no_bc") $(kb "$work/int8_no_bc.om") |"
sed 's|"act_algo": "ifmr"|"act_algo": "ifmr", "wts_algo": "adaround"|' "$work/quant_ifmr.json" > "$work/quant_adaround.json"
quantize int8_adaround "$ex/model_fp32.onnx" "$work/quant_adaround.json"
run_model int8_adaround "$work/int8_adaround.om" "$ex/test/list.txt"
echo "| ptqc ifmr, wts_algo adaround $(scores "$work/int8_adaround") $(kb "$work/int8_adaround.om") |"
sed 's|"act_algo": "ifmr"|"act_algo": "ifmr", "cross_layer_equalization": true|' "$work/quant_ifmr.json" > "$work/quant_cle.json"
quantize int8_cle "$ex/model_fp32.onnx" "$work/quant_cle.json"
run_model int8_cle "$work/int8_cle.om" "$ex/test/list.txt"
echo "| ptqc ifmr, cross_layer_equalization true $(scores "$work/int8_cle") $(kb "$work/int8_cle.om") |"
quantize int8_fp32 "$ex/model_fp32.onnx" "$work/quant_ifmr.json" --precision_mode=force_fp32
run_model int8_fp32 "$work/int8_fp32.om" "$ex/test/list.txt"
echo "| ptqc ifmr, --precision_mode=force_fp32 $(scores "$work/int8_fp32") $(kb "$work/int8_fp32.om") |"
quantize int8_img "$ex/model_fp32.onnx" "$ex/quant_img.json"
run_model int8_img "$work/int8_img.om" "$ex/test/list.txt"
echo "| ptqc ifmr, PNG calibration (quant_img.json) $(scores "$work/int8_img") $(kb "$work/int8_img.om") |"
quantize int8_fp16 "$ex/model_fp16.onnx" "$work/quant_ifmr.json"
run_model int8_fp16 "$work/int8_fp16.om" "$work/list16.txt"
echo "| ptqc ifmr on model_fp16.onnx $(scores "$work/int8_fp16") $(kb "$work/int8_fp16.om") |"
