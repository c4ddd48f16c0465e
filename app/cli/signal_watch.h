// SPDX-License-Identifier: Apache-2.0
// SIGINT/SIGTERM as a Qt signal: the handler only writes the signal number to a pipe (the one
// async-signal-safe thing to do); a QSocketNotifier turns it into `interrupted` on the event loop,
// where the CLI stops its worker pool cleanly before exiting.
#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <memory>

namespace spstudio::cli {

class SignalWatch : public QObject {
  Q_OBJECT
 public:
  /// Installs the handlers; only one SignalWatch may exist at a time.
  explicit SignalWatch(QObject* parent = nullptr);
  ~SignalWatch() override;  ///< restores the default handlers

  /// The signal received so far (0: none).
  int received() const { return received_; }

 signals:
  void interrupted(int signal);

 private:
  void on_readable();

  int received_ = 0;
  std::unique_ptr<QSocketNotifier> notifier_;
};

}  // namespace spstudio::cli
