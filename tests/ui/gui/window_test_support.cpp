// SPDX-License-Identifier: Apache-2.0
#include "window_test_support.h"

#include <QDir>
#include <QGuiApplication>
#include <QPixmap>
#include <QScreen>
#include <QSignalSpy>
#include <QTest>
#include <QWidget>
#include <variant>

#include "app/session/session.h"
#include "app/session/worker_pool.h"
#include "common/wire/recording.h"

namespace spstudio::gui::testing {

QString spworker_path() {
  return QStringLiteral(SPSTUDIO_SPWORKER_BIN);
}

wire::Job record_stream(const QString& path, int world, int images, int steps, int size) {
  app::WorkerPool pool;
  app::Session session(&pool);
  app::PoolOptions options;
  options.world = world;
  options.device = "cpu";
  options.worker_program = spworker_path();
  options.threads_per_worker = 1;
  options.recording_path = path;
  wire::Job job;
  job.model = "builtin:tiny-flux";
  job.prompt = "a red lighthouse on a cliff";
  job.height = job.width = static_cast<std::uint32_t>(size);
  job.steps = static_cast<std::uint32_t>(steps);
  job.seed = 7;
  job.images = static_cast<std::uint32_t>(images);
  job.ulysses_degree = static_cast<std::uint32_t>(world);
  job.preview_interval = 1;
  job.send_latents = false;
  bool finished = false, ok = false;
  QObject::connect(&session, &app::Session::jobFinished, [&](const app::JobResult& r) {
    finished = true;
    ok = r.status == wire::JobStatus::Ok && static_cast<int>(r.images.size()) == images;
    if (!ok) qWarning("recording job failed: %s", qPrintable(r.error));
  });
  pool.start(options);
  session.submit(job);
  if (!QTest::qWaitFor([&] { return finished; }, 120000)) qWarning("recording job did not finish in 120 s");
  pool.stop();
  if (!ok) QTest::qFail("recording a real worker stream failed", __FILE__, __LINE__);
  return job;
}

std::vector<wire::Message> read_messages(const QString& path) {
  return wire::read_recording(path.toStdString());
}

std::vector<wire::ImageDone> recorded_images(const QString& path) {
  std::vector<wire::ImageDone> images;
  for (const wire::Message& m : read_messages(path))
    if (const auto* image = std::get_if<wire::ImageDone>(&m); image && image->rank == 0) images.push_back(*image);
  return images;
}

void write_truncated(const QString& from, const QString& to,
                     const std::function<bool(const wire::Message&)>& stop_after, int extra) {
  const std::vector<wire::Message> messages = read_messages(from);
  wire::RecordingWriter writer(to.toStdString());
  int remaining = -1;
  for (const wire::Message& m : messages) {
    writer.write(m);
    if (remaining < 0 && stop_after(m))
      remaining = extra;
    else if (remaining > 0)
      --remaining;
    if (remaining == 0) break;
  }
  writer.flush();
}

void save_screenshot(QWidget* window, const QString& name) {
  QTest::qWait(300);                               // let every view repaint before the X server is read
  QPixmap shot = window->screen()->grabWindow(0);  // the X server's framebuffer: what a person would see
  if (shot.isNull()) shot = window->grab();
  QString folder = qEnvironmentVariable("SPSTUDIO_SCREENSHOT_DIR");
  if (folder.isEmpty()) folder = QDir::currentPath();
  QDir().mkpath(folder);
  const QString path = QDir(folder).filePath(name);
  QVERIFY2(shot.save(path), qPrintable(path));
  qInfo("screenshot: %s (%dx%d, platform %s)", qPrintable(path), shot.width(), shot.height(),
        qPrintable(QGuiApplication::platformName()));
}

}  // namespace spstudio::gui::testing
