// SPDX-License-Identifier: Apache-2.0
#include "app/gui/image_convert.h"

#include <algorithm>
#include <cstring>

namespace spstudio::gui {

QImage to_qimage(const wire::RgbImage& image) {
  const std::size_t bytes = std::size_t{image.width} * image.height * 3;
  if (image.width == 0 || image.height == 0 || image.rgb.size() != bytes) return {};
  QImage out(static_cast<int>(image.width), static_cast<int>(image.height), QImage::Format_RGB888);
  const std::size_t row = std::size_t{image.width} * 3;
  for (int y = 0; y < out.height(); ++y)
    std::memcpy(out.scanLine(y), image.rgb.data() + y * row, row);
  return out;
}

std::vector<std::uint8_t> packed_rgb(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  const std::size_t row = std::size_t(rgb.width()) * 3;
  std::vector<std::uint8_t> out(row * rgb.height());
  for (int y = 0; y < rgb.height(); ++y)
    std::copy_n(rgb.constScanLine(y), row, out.data() + y * row);
  return out;
}

}  // namespace spstudio::gui
