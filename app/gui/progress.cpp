// SPDX-License-Identifier: Apache-2.0
#include "app/gui/progress.h"

#include <QtGlobal>
#include <cmath>

namespace spstudio::gui {

double Progress::fraction() const {
  if (steps <= 0 || images <= 0) return 0;
  return qBound(0.0, (double(image_index) * steps + step) / (double(images) * steps), 1.0);
}

double Progress::eta_seconds() const {
  if (mean_step_ms <= 0 || steps <= 0) return -1;
  const int remaining = (steps - step) + (images - image_index - 1) * steps;
  return std::max(0, remaining) * mean_step_ms / 1000.0;
}

double Progress::queue_eta_seconds() const {
  const double running_eta = running ? eta_seconds() : 0;
  if (running_eta < 0 || (queued_steps > 0 && mean_step_ms <= 0)) return -1;
  return running_eta + queued_steps * mean_step_ms / 1000.0;
}

QString Progress::text() const {
  QString text = QString("step %1/%2").arg(step).arg(steps);
  if (images > 1) text += QString(" · image %1/%2").arg(image_index + 1).arg(images);
  return text + " · ETA " + format_duration(eta_seconds());
}

QString format_duration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return QStringLiteral("—");
  if (seconds < 9.95) return QString::number(seconds, 'f', 1) + " s";
  if (seconds < 60) return QString::number(std::lround(seconds)) + " s";
  const long total = std::lround(seconds);
  return QString("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QChar('0'));
}

}  // namespace spstudio::gui
