// SPDX-License-Identifier: Apache-2.0
// spstudio: the SP Studio window. With no arguments it opens on the builtin default model and
// starts its workers; --replay plays a recorded worker stream instead (no workers needed).
#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <chrono>

#include "app/gui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("SP Studio");
  QApplication::setApplicationName("spstudio");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  parser.setApplicationDescription("SP Studio: interactive sequence-parallel diffusion transformers");
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption model({"m", "model"}, "Start with MODEL (builtin:tiny-flux or a diffusers folder).",
                                 "MODEL");
  const QCommandLineOption replay("replay", "Play back a recorded worker stream (spstudio-cli generate --record).",
                                  "FILE");
  const QCommandLineOption speed("replay-speed", "Playback speed of --replay (0: as fast as possible).", "X", "1");
  const QCommandLineOption worker("worker", "The worker program (default: spworker next to spstudio).", "PATH");
  const QCommandLineOption threads("threads", "Intra-op threads per CPU worker (default: cores / ranks).", "N", "0");
  const QCommandLineOption heartbeat("heartbeat-timeout", "Seconds of worker silence that count as hung.", "S", "10");
  const QCommandLineOption fresh("reset-settings", "Start from the default parameters and layout.");
  parser.addOptions({model, replay, speed, worker, threads, heartbeat, fresh});
  parser.process(app);

  spstudio::gui::MainWindowOptions options;
  options.model = parser.value(model);
  options.replay_path = parser.value(replay);
  options.replay_speed = parser.value(speed).toDouble();
  options.pool.worker_program = parser.value(worker);
  options.pool.threads_per_worker = parser.value(threads).toInt();
  options.pool.heartbeat_timeout =
      std::chrono::milliseconds(static_cast<long>(parser.value(heartbeat).toDouble() * 1000));
  if (parser.isSet(fresh)) {
    QSettings().clear();
    options.restore_settings = false;
  }

  spstudio::gui::MainWindow window(options);
  window.resize(1400, 900);
  window.show();
  return QApplication::exec();
}
