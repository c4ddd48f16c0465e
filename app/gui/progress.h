// SPDX-License-Identifier: Apache-2.0
// What the progress bar and its label say: step n/N of image i/I, and an ETA from the mean step
// time (UX.md). GUI-free so the arithmetic is unit-tested.
#pragma once

#include <QString>

namespace spstudio::gui {

struct Progress {
  bool running = false;
  int step = 0, steps = 0;          ///< the image in progress: steps done / total
  int image_index = 0, images = 1;  ///< 0-based image in progress / images in the job
  double mean_step_ms = 0;          ///< 0: not known yet
  int queued_steps = 0;             ///< steps of the items still queued behind this one
  double fraction() const;          ///< 0..1 over all images of the running job
  /// Seconds until the running job ends; negative when the step time is not known yet.
  double eta_seconds() const;
  /// Seconds until the queue is empty (the running job and the queued steps); negative: unknown.
  double queue_eta_seconds() const;
  /// "step 3/8 · ETA 2.1 s", "step 3/8 · image 2/4 · ETA 12 s", "step 0/8 · ETA —".
  QString text() const;
};

/// "0.4 s", "2.1 s", "12 s", "3 min 05 s"; "—" for a negative value.
QString format_duration(double seconds);

}  // namespace spstudio::gui
