// SPDX-License-Identifier: Apache-2.0
// What the comparison view's sweep form asks the window to benchmark: the configurations and the
// spstudio-cli bench options, as one value that crosses threads in a queued signal.
#pragma once

#include <QMetaType>
#include <vector>

#include "common/parallel_config.h"

namespace spstudio::ui {

struct SweepRequest {
  std::vector<spstudio::ParallelConfig> configs;
  int steps = 4, repeat = 3, warmup = 1, height = 256, width = 256;
};

}  // namespace spstudio::ui

Q_DECLARE_METATYPE(spstudio::ui::SweepRequest)
// spstudio::bench::BenchRun (showSweepFinished's argument) is declared by app/session/bench_sweep.h,
// which produces it; Qt 6's moc needs no declaration for a queued slot argument.
