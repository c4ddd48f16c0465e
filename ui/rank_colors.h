// SPDX-License-Identifier: Apache-2.0
// One colour per rank, the same in the preview outlines, the worker table and the timeline:
// the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies), cycling.
#pragma once

#include <QColor>

namespace spstudio::ui {

QColor rank_color(int rank);

}  // namespace spstudio::ui
