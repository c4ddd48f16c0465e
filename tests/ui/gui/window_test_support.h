// SPDX-License-Identifier: Apache-2.0
// Shared by the window tests: recording a real worker stream to replay, and screenshots.
#pragma once

#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

#include "common/wire/messages.h"

class QWidget;

namespace spstudio::gui::testing {

/// The spworker built with the tests (SPSTUDIO_SPWORKER_BIN).
QString spworker_path();

/// Runs one real job on `world` spworker processes (U = world, R = 1) with a WorkerPool recording
/// every frame to `path`; fails the current QtTest when the job does not finish Ok within 120 s.
/// Returns the job as sent.
wire::Job record_stream(const QString& path, int world, int images, int steps, int size);

/// The messages of a recording (wire::read_recording), for expectations computed independently of
/// the replay path.
std::vector<wire::Message> read_messages(const QString& path);

/// Every rank-0 ImageDone of a recording, in order.
std::vector<wire::ImageDone> recorded_images(const QString& path);

/// Writes a copy of the recording at `from` to `to` that stops right after the first message for
/// which `stop_after` returns true (plus `extra` more messages): a stream cut off mid-job.
void write_truncated(const QString& from, const QString& to,
                     const std::function<bool(const wire::Message&)>& stop_after, int extra);

/// Saves what the X server shows (the whole screen; the window alone when that cannot be read) as
/// `name` in $SPSTUDIO_SCREENSHOT_DIR (default: the working folder), after letting views repaint.
/// Fails the current QtTest when it cannot be written.
void save_screenshot(QWidget* window, const QString& name);

}  // namespace spstudio::gui::testing
