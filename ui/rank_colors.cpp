// SPDX-License-Identifier: Apache-2.0
// The Okabe–Ito palette, with its black replaced by grey: outlines are drawn over dark previews.
#include "ui/rank_colors.h"

#include <array>

namespace spstudio::ui {
namespace {

constexpr std::array<QRgb, 8> kPalette{
    0xE69F00,  // orange
    0x56B4E9,  // sky blue
    0x009E73,  // bluish green
    0xF0E442,  // yellow
    0x0072B2,  // blue
    0xD55E00,  // vermillion
    0xCC79A7,  // reddish purple
    0x999999,  // grey (Okabe–Ito's black would vanish on dark images)
};

}  // namespace

QColor rank_color(int rank) {
  const int size = static_cast<int>(kPalette.size());
  const int index = ((rank % size) + size) % size;  // a negative rank still gets a colour
  return QColor::fromRgb(kPalette[static_cast<std::size_t>(index)]);
}

}  // namespace spstudio::ui
