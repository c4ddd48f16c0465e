// SPDX-License-Identifier: Apache-2.0
// SessionCore lives on the host's thread and owns everything there; it reports to the window by
// posting lambdas to the host (queued to the GUI thread, dropped if the host is gone).
#include "app/gui/session_host.h"

#include "app/gui/image_convert.h"

#include <QHash>
#include <QMetaObject>
#include <QTimer>
#include <algorithm>
#include <utility>

namespace spstudio::gui {

class SessionCore : public QObject {
 public:
  explicit SessionCore(SessionHost* host) : host_(host) {
    connect(&sweep_, &app::BenchSweep::progressed, this,
            [this](const QString& text) { post([=](SessionHost* h) { emit h->sweepProgressed(text); }); });
    connect(&sweep_, &app::BenchSweep::finished, this,
            [this](const bench::BenchRun& run) { post([=](SessionHost* h) { emit h->sweepFinished(run); }); });
    connect(&sweep_, &app::BenchSweep::failed, this,
            [this](const QString& error) { post([=](SessionHost* h) { emit h->sweepFailed(error); }); });
    connect(&dry_run_, &app::BenchSweep::configMeasured, this, [this](const bench::ConfigResult& r) {
      const QString text = dry_run_summary(r);
      post([=](SessionHost* h) { emit h->dryRunFinished(true, text); });
    });
    connect(&dry_run_, &app::BenchSweep::failed, this,
            [this](const QString& error) { post([=](SessionHost* h) { emit h->dryRunFinished(false, error); }); });
  }
  ~SessionCore() override {
    teardown_reference();
    teardown();
  }

  void start_workers(const app::PoolOptions& options) {
    teardown();
    pool_ = new app::WorkerPool(this);
    link_ = pool_;
    connect_link();
    connect(pool_, &app::WorkerPool::workerOutput, this,
            [this](int rank, const QString& line) { post([=](SessionHost* h) { emit h->workerOutput(rank, line); }); });
    pool_->start(options);
  }

  void start_replay(const app::ReplayOptions& options) {
    teardown();
    auto* replay = new app::ReplayPool(this);
    link_ = replay;
    connect_link();
    replay->start(options);
  }

  void restart() {
    if (link_) link_->restart();
  }

  void stop() { teardown(); }

  quint64 submit(const wire::Job& job) { return session_ ? session_->submit(job) : 0; }

  void cancel(wire::CancelMode mode) {
    if (session_) session_->cancel(mode);
  }

  void run_sweep(const app::SweepOptions& options) { sweep_.start(options); }
  void cancel_sweep() { sweep_.cancel(); }
  void dry_run(const app::SweepOptions& options) { dry_run_.start(options); }

  void render_reference(quint64 tag, wire::Job job) {
    if (!pool_) {
      post_reference_error(tag, "a replayed session has no workers to render a single-rank reference");
      return;
    }
    if (!ref_pool_) start_reference_pool();
    job.ulysses_degree = job.ring_degree = 1;
    job.images = 1;
    job.preview_interval = 0;
    job.send_latents = false;
    job.profile = false;
    ref_tags_.insert(ref_session_->submit(job), tag);
  }

 private:
  template <typename F>
  void post(F&& f) {
    SessionHost* host = host_;
    QMetaObject::invokeMethod(
        host, [host, f = std::forward<F>(f)]() mutable { f(host); }, Qt::QueuedConnection);
  }

  void post_state() {
    if (!link_) return;
    const app::PoolState state = link_->state();
    const QVector<app::WorkerInfo> workers = link_->workers();
    post([=](SessionHost* h) { emit h->poolStateChanged(state, workers); });
  }

  void connect_link() {
    session_ = new app::Session(link_, this);
    connect(link_, &app::WorkerLink::stateChanged, this, [this] { post_state(); });
    connect(link_, &app::WorkerLink::poolReady, this, [this] { post_state(); });
    connect(link_, &app::WorkerLink::workerFailed, this, [this](const app::WorkerFailure& failure) {
      post([=](SessionHost* h) { emit h->workerFailed(failure); });
      post_state();
    });
    connect(session_, &app::Session::jobStarted, this, [this](quint64 id) {
      canvas_.clear();
      post([=](SessionHost* h) { emit h->jobStarted(id); });
    });
    connect(session_, &app::Session::stepPreviewReady, this, [this](const wire::StepPreview& p) { on_preview(p); });
    connect(session_, &app::Session::stepFinished, this,
            [this](const wire::StepDone& s) { post([=](SessionHost* h) { emit h->stepFinished(s); }); });
    connect(session_, &app::Session::imageFinished, this, [this](const wire::ImageDone& image) {
      const FinishedImage finished = convert(image);
      post([=](SessionHost* h) { emit h->imageFinished(finished); });
    });
    connect(session_, &app::Session::jobFinished, this, [this](app::JobResult result) {
      // The pixels already went out with imageFinished; do not copy them across again.
      for (wire::ImageDone& image : result.images) {
        image.image.rgb.clear();
        image.latents.bytes.clear();
      }
      post([=](SessionHost* h) { emit h->jobFinished(result); });
    });
    connect(session_, &app::Session::logReceived, this,
            [this](int rank, const QString& text) { post([=](SessionHost* h) { emit h->logReceived(rank, text); }); });
  }

  void on_preview(const wire::StepPreview& preview) {
    try {
      canvas_.add(preview);
    } catch (const std::exception& e) {
      const QString text = QString("preview tile dropped: ") + e.what();
      const int rank = static_cast<int>(preview.rank);
      post([=](SessionHost* h) { emit h->logReceived(rank, text); });
      return;
    }
    PreviewFrame frame;
    frame.job_id = canvas_.job_id();
    frame.image_index = canvas_.image_index();
    frame.step = static_cast<int>(preview.step);
    frame.steps = static_cast<int>(preview.steps);
    frame.image = canvas_.image().copy();  // the canvas keeps painting into its own
    frame.tiles = canvas_.tiles();
    post([=](SessionHost* h) { emit h->previewUpdated(frame); });
  }

  static QString dry_run_summary(const bench::ConfigResult& r) {
    quint64 peak = 0;
    for (const auto bytes : r.peak_memory_bytes)
      peak = std::max<quint64>(peak, bytes);
    return QString("%1 on %2 worker%3 (%4), %5 step%6 of %7 ms, peak %8 MiB per rank")
        .arg(QString::fromStdString(r.degrees.to_string()))
        .arg(r.world)
        .arg(r.world == 1 ? "" : "s")
        .arg(QString::fromStdString(r.devices.empty() ? std::string("?") : r.devices.front()))
        .arg(r.step_ms.count)
        .arg(r.step_ms.count == 1 ? "" : "s")
        .arg(r.step_ms.median, 0, 'f', 1)
        .arg(static_cast<double>(peak) / (1024.0 * 1024.0), 0, 'f', 0);
  }

  static FinishedImage convert(const wire::ImageDone& image) {
    FinishedImage f;
    f.job_id = image.job_id;
    f.image_index = static_cast<int>(image.image_index);
    f.seed = image.seed;
    f.image = to_qimage(image.image);
    f.latents = image.latents;
    f.summary_json = QString::fromStdString(image.summary_json);
    return f;
  }

  void teardown() {
    if (!link_) return;
    delete session_;  // first: it must not see the pool's last signals as a failure of its job
    session_ = nullptr;
    if (pool_) pool_->stop();
    link_->disconnect(this);
    delete link_;
    link_ = nullptr;
    pool_ = nullptr;
    canvas_.clear();
    post([](SessionHost* h) { emit h->poolStateChanged(app::PoolState::Stopped, {}); });
  }

  // ---- single-rank references ----------------------------------------------------------------
  void start_reference_pool() {
    app::PoolOptions options = pool_->options();
    options.world = 1;
    options.recording_path.clear();
    ref_pool_ = new app::WorkerPool(this);
    ref_session_ = new app::Session(ref_pool_, this);
    connect(ref_session_, &app::Session::imageFinished, this,
            [this](const wire::ImageDone& image) { ref_images_.insert(image.job_id, convert(image)); });
    connect(ref_session_, &app::Session::jobFinished, this, [this](const app::JobResult& result) {
      const quint64 tag = ref_tags_.take(result.job_id);
      ReferenceResult r;
      r.tag = tag;
      r.ok = result.status == wire::JobStatus::Ok && ref_images_.contains(result.job_id);
      if (r.ok)
        r.image = ref_images_.take(result.job_id);
      else
        r.error = result.error.isEmpty() ? QString("the reference run ended without an image") : result.error;
      ref_images_.remove(result.job_id);
      post([=](SessionHost* h) { emit h->referenceFinished(r); });
      // Not from inside the session's own signal: tear the idle pool down on the next turn.
      if (ref_tags_.isEmpty())
        QTimer::singleShot(0, this, [this] {
          if (ref_tags_.isEmpty()) teardown_reference();
        });
    });
    ref_pool_->start(options);
  }

  void post_reference_error(quint64 tag, const QString& error) {
    ReferenceResult r;
    r.tag = tag;
    r.error = error;
    post([=](SessionHost* h) { emit h->referenceFinished(r); });
  }

  void teardown_reference() {
    if (!ref_pool_) return;
    delete ref_session_;
    ref_session_ = nullptr;
    ref_pool_->stop();
    delete ref_pool_;
    ref_pool_ = nullptr;
    for (const quint64 tag : std::as_const(ref_tags_))
      post_reference_error(tag, "the reference workers were stopped");
    ref_tags_.clear();
    ref_images_.clear();
  }

  SessionHost* host_;
  app::WorkerLink* link_ = nullptr;
  app::WorkerPool* pool_ = nullptr;  ///< link_ when it runs real workers
  app::Session* session_ = nullptr;
  ui::PreviewCanvas canvas_;
  app::WorkerPool* ref_pool_ = nullptr;
  app::Session* ref_session_ = nullptr;
  QHash<quint64, quint64> ref_tags_;  ///< reference job id → caller's tag
  QHash<quint64, FinishedImage> ref_images_;
  app::BenchSweep sweep_{this};
  app::BenchSweep dry_run_{this};
};

SessionHost::SessionHost(QObject* parent) : QObject(parent) {
  app::register_session_metatypes();
  qRegisterMetaType<PreviewFrame>();
  qRegisterMetaType<FinishedImage>();
  qRegisterMetaType<ReferenceResult>();
  qRegisterMetaType<bench::BenchRun>();
  qRegisterMetaType<QVector<app::WorkerInfo>>();
  thread_.setObjectName("spstudio-session");
  thread_.start();
  core_ = new SessionCore(this);
  core_->moveToThread(&thread_);
  connect(this, &SessionHost::poolStateChanged, this, [this](app::PoolState state, const QVector<app::WorkerInfo>& w) {
    state_ = state;
    workers_ = w;
  });
}

SessionHost::~SessionHost() {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core] { delete core; }, Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

void SessionHost::startWorkers(const app::PoolOptions& options) {
  replay_ = false;
  pool_options_ = options;
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, options] { core->start_workers(options); }, Qt::QueuedConnection);
}

void SessionHost::startReplay(const app::ReplayOptions& options) {
  replay_ = true;
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, options] { core->start_replay(options); }, Qt::QueuedConnection);
}

void SessionHost::restart() {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core] { core->restart(); }, Qt::QueuedConnection);
}

void SessionHost::stop() {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core] { core->stop(); }, Qt::BlockingQueuedConnection);
}

quint64 SessionHost::submit(const wire::Job& job) {
  quint64 id = 0;
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, &job, &id] { id = core->submit(job); }, Qt::BlockingQueuedConnection);
  return id;
}

void SessionHost::cancel(wire::CancelMode mode) {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, mode] { core->cancel(mode); }, Qt::QueuedConnection);
}

void SessionHost::runSweep(const app::SweepOptions& options) {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, options] { core->run_sweep(options); }, Qt::QueuedConnection);
}

void SessionHost::cancelSweep() {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core] { core->cancel_sweep(); }, Qt::QueuedConnection);
}

void SessionHost::dryRun(const app::SweepOptions& options) {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, options] { core->dry_run(options); }, Qt::QueuedConnection);
}

void SessionHost::renderReference(quint64 tag, wire::Job job) {
  SessionCore* core = core_;
  QMetaObject::invokeMethod(
      core, [core, tag, job] { core->render_reference(tag, job); }, Qt::QueuedConnection);
}

}  // namespace spstudio::gui
