#pragma once
/// \file
/// Image inputs of the calibration set: decoding (PNG/JPEG/BMP through stb_image, or raw
/// HWC uint8), bilinear resizing, and per-channel normalization into the model's layout.

#include <cstdint>
#include <string>
#include <vector>

#include "ptqc/quant_config.h"

namespace ptqc {

/// Pixel values in [0, 255] as floats, rows of interleaved channels (HWC).
struct Image {
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<float> pixels;  ///< height * width * channels values

  float at(int64_t y, int64_t x, int64_t c) const {
    return pixels[static_cast<size_t>((y * width + x) * channels + c)];
  }
};

/// Decodes an encoded image (\p bytes of a PNG, JPEG or BMP file) to \p channels channels:
/// 3 gives RGB (a gray image is replicated, alpha dropped), 1 gives gray (stb_image's luma of
/// a color image). \p what names the file in the E19030 error for undecodable data.
Image decode_image(const std::string& bytes, int64_t channels, const std::string& what);

/// A raw HWC uint8 image. \pre bytes.size() == height * width * channels.
Image raw_hwc_image(const std::string& bytes, int64_t height, int64_t width, int64_t channels);

/// Bilinear resize with half-pixel centers (ONNX Resize linear, half_pixel; OpenCV
/// INTER_LINEAR): output pixel (y, x) samples the source at
/// sy = (y + 0.5) * src.height / height - 0.5 (clamped to [0, src.height - 1]), likewise sx,
/// and blends the 2x2 neighbours by the fractional parts. Values stay float (no rounding).
/// The same size returns the pixels unchanged.
Image resize_bilinear(const Image& src, int64_t height, int64_t width);

/// Writes (pixel - mean[c]) / std[c] into \p out (height * width * channels floats) in
/// \p layout: NCHW writes channel planes, NHWC interleaved pixels. \p mean and \p std hold
/// one value per channel or one for all (empty: 0 and 1).
void write_normalized(const Image& image, const std::vector<float>& mean, const std::vector<float>& std,
                      NetFormat layout, float* out);

}  // namespace ptqc
