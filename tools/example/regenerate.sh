#!/usr/bin/env bash
# Regenerates everything in examples/sr except the hand-written configs and README:
# trains the x2 super-resolution model (about 5 minutes on one CPU thread), exports
# model_fp32.onnx, model_fp32_dynamic.onnx and model_fp16.onnx, and writes the calibration
# sets (calib_bin/, calib_png/) and the held-out test set (test/).
#   tools/example/regenerate.sh
# Needs Debian 12 packages python3-torch python3-onnx python3-pil python3-skimage mate-backgrounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
for p in python3-torch python3-onnx python3-pil python3-skimage mate-backgrounds; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "missing Debian package $p (apt-get install $p)" >&2; exit 1; }
done
ex=examples/sr
py=/usr/bin/python3
mkdir -p "$ex"
$py tools/example/train_sr.py "$ex"
$py tools/example/make_fp16.py "$ex/model_fp32.onnx" "$ex/model_fp16.onnx"
rm -rf "$ex/calib_bin" "$ex/calib_png" "$ex/test"
$py tools/example/make_example_data.py "$ex"
du -sh "$ex"
