#include "calib/image_loader.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ptqc/error.h"

// The one translation unit that compiles stb_image (Debian's libstb-dev), static so that its
// symbols cannot clash with another copy; only the formats the config documents.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace ptqc {

Image decode_image(const std::string& bytes, int64_t channels, const std::string& what) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw Error(ErrorCode::kInvalidData,
                what + ": an image file of " + std::to_string(bytes.size()) + " bytes is too large");
  }
  int width = 0;
  int height = 0;
  int file_channels = 0;
  stbi_uc* decoded =
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &width,
                            &height, &file_channels, static_cast<int>(channels));
  if (decoded == nullptr) {
    throw Error(ErrorCode::kInvalidData,
                what + ": not a decodable PNG, JPEG or BMP image (" + stbi_failure_reason() + ")");
  }
  Image image{height, width, channels, {}};
  image.pixels.assign(decoded, decoded + static_cast<size_t>(height) * static_cast<size_t>(width) * channels);
  stbi_image_free(decoded);
  return image;
}

Image raw_hwc_image(const std::string& bytes, int64_t height, int64_t width, int64_t channels) {
  Image image{height, width, channels, {}};
  image.pixels.assign(reinterpret_cast<const uint8_t*>(bytes.data()),
                      reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
  return image;
}

namespace {

/// Source coordinate of output index \p i along an axis of \p in -> \p out samples
/// (half-pixel centers): lower index, upper index and the weight of the upper one.
struct Tap {
  int64_t lo;
  int64_t hi;
  float frac;
};

Tap half_pixel_tap(int64_t i, int64_t in, int64_t out) {
  const double pos = std::clamp((i + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5, 0.0,
                                static_cast<double>(in - 1));
  const auto lo = static_cast<int64_t>(pos);
  return {lo, std::min(lo + 1, in - 1), static_cast<float>(pos - static_cast<double>(lo))};
}

}  // namespace

Image resize_bilinear(const Image& src, int64_t height, int64_t width) {
  if (src.height == height && src.width == width) return src;
  Image dst{height, width, src.channels, std::vector<float>(static_cast<size_t>(height * width * src.channels))};
  for (int64_t y = 0; y < height; ++y) {
    const Tap ty = half_pixel_tap(y, src.height, height);
    for (int64_t x = 0; x < width; ++x) {
      const Tap tx = half_pixel_tap(x, src.width, width);
      for (int64_t c = 0; c < src.channels; ++c) {
        const float top = src.at(ty.lo, tx.lo, c) + (src.at(ty.lo, tx.hi, c) - src.at(ty.lo, tx.lo, c)) * tx.frac;
        const float bottom = src.at(ty.hi, tx.lo, c) + (src.at(ty.hi, tx.hi, c) - src.at(ty.hi, tx.lo, c)) * tx.frac;
        dst.pixels[static_cast<size_t>((y * width + x) * src.channels + c)] = top + (bottom - top) * ty.frac;
      }
    }
  }
  return dst;
}

void write_normalized(const Image& image, const std::vector<float>& mean, const std::vector<float>& std,
                      NetFormat layout, float* out) {
  auto per_channel = [](const std::vector<float>& values, int64_t c, float fallback) {
    if (values.empty()) return fallback;
    return values.size() == 1 ? values[0] : values[static_cast<size_t>(c)];
  };
  const int64_t plane = image.height * image.width;
  for (int64_t c = 0; c < image.channels; ++c) {
    const float m = per_channel(mean, c, 0.0f);
    const float s = per_channel(std, c, 1.0f);
    for (int64_t p = 0; p < plane; ++p) {
      const float v = (image.pixels[static_cast<size_t>(p * image.channels + c)] - m) / s;
      out[layout == NetFormat::kNHWC ? p * image.channels + c : c * plane + p] = v;
    }
  }
}

}  // namespace ptqc
