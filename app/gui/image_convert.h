// SPDX-License-Identifier: Apache-2.0
// Wire RGB images ↔ QImage, for the window (conversion runs on the session thread).
#pragma once

#include <QImage>
#include <cstdint>
#include <vector>

#include "common/wire/messages.h"

namespace spstudio::gui {

/// A deep copy of `image` as a QImage (RGB888); a null QImage when it is empty or inconsistent.
QImage to_qimage(const wire::RgbImage& image);
/// The RGB888 bytes of `image`, rows packed (without the scan-line padding QImage may add).
std::vector<std::uint8_t> packed_rgb(const QImage& image);

}  // namespace spstudio::gui
