// SPDX-License-Identifier: Apache-2.0
// ReplayPool: a recorded stream played as if workers sent it. One message per timer tick, so the
// event loop (and the GUI) runs between messages; the first message of every step waits for that
// step's recorded time. Cancels follow what spworker's job runner does: every rank takes the same
// decision at a step boundary (Now) or an image boundary (AfterImage), then each sends its
// JobDone(Cancelled) with the images it finished.
#include "app/session/replay_pool.h"

#include <QTimer>
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "app/session/recorded_playlist.h"

namespace spstudio::app {
namespace {

constexpr double kLongestWaitMs = 60'000;  ///< a recorded step time that high is not worth sitting through

QString rank_list(const std::vector<std::uint32_t>& ranks) {
  QStringList names;
  for (std::uint32_t rank : ranks)
    names << QString::number(rank);
  return QString(ranks.size() == 1 ? "rank %1" : "ranks %1").arg(names.join(", "));
}

}  // namespace

struct ReplayPool::Impl {
  /// A job sent to the pool that waits for its playback.
  struct Pending {
    std::uint64_t job_id = 0;
    bool forward = false;
  };
  /// The job being played.
  struct Playback {
    std::uint64_t job_id = 0;                            ///< the id it was sent with
    const RecordedJob* recorded = nullptr;               ///< null for a ForwardJob, which only gets its ending
    std::size_t position = 0;                            ///< next message of the recorded segment
    std::vector<std::uint32_t> images_done, steps_done;  ///< per rank; steps within the current image
    std::set<StepKey> paced;                             ///< steps whose recorded time has been waited
    int job_dones_played = 0;                            ///< once one rank is done, a cancel comes too late
    bool ending = false;                                 ///< `ending` replaces the rest of the recording
    std::deque<wire::Message> ending_messages;
  };

  explicit Impl(ReplayPool* owner) : q(owner), timer(new QTimer(owner)) {
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, q, [this] { tick(); });
  }

  ReplayPool* q;
  QTimer* timer;
  ReplayOptions options;
  PoolState state = PoolState::Stopped;
  std::optional<Playlist> playlist;
  QVector<WorkerInfo> infos;
  std::size_t preamble_position = 0;
  std::size_t next_job = 0;
  std::deque<Pending> queue;
  std::map<std::uint64_t, wire::CancelMode> cancels;  ///< by job id, as the workers keep them
  std::optional<Playback> playback;
  int generation = 0;  ///< bumped when the pool starts, stops or fails; a slot may do any of these

  void set_state(PoolState next) {
    if (state == next) return;
    state = next;
    emit q->stateChanged(next);
  }

  void schedule(double delay_ms) {
    timer->start(static_cast<int>(std::lround(std::clamp(delay_ms, 0.0, kLongestWaitMs))));
  }

  double step_wait_ms(double recorded_ms) const {
    if (!(options.speed > 0) || !std::isfinite(recorded_ms) || recorded_ms <= 0) return 0;
    return recorded_ms / options.speed;
  }

  // ---- start, stop, fail ------------------------------------------------------------------------
  void start(const ReplayOptions& new_options) {
    options = new_options;
    ++generation;
    set_state(PoolState::Starting);
    try {
      playlist = read_playlist(options.path);
    } catch (const std::exception& e) {
      playlist.reset();
      infos.clear();
      fail(QString::fromStdString(e.what()));
      return;
    }
    infos.clear();
    for (int rank = 0; rank < playlist->world; ++rank) {
      WorkerInfo info;
      info.rank = rank;
      info.device = playlist->ranks[rank].device;
      info.backend = playlist->ranks[rank].backend;
      info.memory_bytes = playlist->ranks[rank].memory_bytes;
      info.connected = true;
      infos.push_back(info);
    }
    preamble_position = 0;
    next_job = 0;
    schedule(0);
  }

  /// Forgets everything in flight; the recording stays loaded.
  void teardown() {
    ++generation;
    timer->stop();
    playback.reset();
    queue.clear();
    cancels.clear();
    for (WorkerInfo& info : infos)
      info.connected = info.ready = false;
  }

  void fail(const QString& message) {
    teardown();
    set_state(PoolState::Failed);
    WorkerFailure failure;
    failure.message = message;
    emit q->workerFailed(failure);
  }

  void stop() {
    if (state == PoolState::Stopped) return;
    if (state != PoolState::Failed) {
      set_state(PoolState::Stopping);
      teardown();
    }
    set_state(PoolState::Stopped);
    emit q->poolStopped();
  }

  // ---- playback ---------------------------------------------------------------------------------
  void tick() {
    if (state == PoolState::Starting) {
      play_preamble();
    } else if (state == PoolState::Ready && playback) {
      play_job();
    }
  }

  /// What the workers sent before the first job (Ready, names, logs), then Ready.
  void play_preamble() {
    const int this_generation = generation;
    while (preamble_position < playlist->preamble_end) {
      const wire::Message& message = playlist->messages[preamble_position++];
      if (std::holds_alternative<wire::Hello>(message)) continue;  // the pool does not forward it
      if (const auto* ready = std::get_if<wire::Ready>(&message)) infos[static_cast<int>(ready->rank)].ready = true;
      emit q->messageReceived(message);
      if (generation == this_generation) schedule(0);
      return;
    }
    for (WorkerInfo& info : infos)
      info.ready = true;
    set_state(PoolState::Ready);
    if (generation != this_generation) return;
    emit q->poolReady();
    if (generation != this_generation) return;
    start_next();
  }

  void start_next() {
    if (playback || queue.empty() || state != PoolState::Ready) return;
    const Pending next = queue.front();
    queue.pop_front();
    Playback p;
    p.job_id = next.job_id;
    p.images_done.assign(playlist->world, 0);
    p.steps_done.assign(playlist->world, 0);
    if (next.forward) {
      p.ending = true;
      p.ending_messages.push_back(wire::Error{0, next.job_id, wire::ExitCode::JobFailed,
                                              "a recorded stream (" + options.path.toStdString() +
                                                  ") cannot run a forward job: it only replays the jobs it recorded"});
      for (int rank = 0; rank < playlist->world; ++rank) {
        p.ending_messages.push_back(
            wire::JobDone{next.job_id, static_cast<std::uint32_t>(rank), wire::JobStatus::Failed, 0, "{}"});
      }
    } else {
      p.recorded = &playlist->jobs[next_job];
      p.position = p.recorded->begin;
      next_job = (next_job + 1) % playlist->jobs.size();
    }
    playback = std::move(p);
    schedule(0);
  }

  void finish_playback() {
    const std::uint64_t id = playback->job_id;
    // As the workers do: a cancel for this job or an earlier one is spent.
    cancels.erase(cancels.begin(), cancels.upper_bound(id));
    playback.reset();
    start_next();
  }

  /// Every rank at the same point: the same images finished and the same step of the next.
  bool ranks_aligned(const Playback& p) const {
    for (int rank = 1; rank < playlist->world; ++rank) {
      if (p.images_done[rank] != p.images_done[0] || p.steps_done[rank] != p.steps_done[0]) return false;
    }
    return true;
  }

  /// Whether a cancel for the playing job takes effect before the next recorded message.
  bool cancel_takes_effect(const Playback& p) const {
    const auto cancel = cancels.find(p.job_id);
    if (cancel == cancels.end() || p.ending || !p.recorded || p.job_dones_played > 0) return false;
    if (!ranks_aligned(p)) return false;
    if (cancel->second == wire::CancelMode::Now) return true;
    // AfterImage: at an image boundary, and only when the job had images left to skip.
    return p.steps_done[0] == 0 && p.images_done[0] < p.recorded->images;
  }

  void begin_cancelled_ending(Playback& p) {
    const RecordedJob& job = *p.recorded;
    // The names the skipped part defines: later jobs' ranges refer to them.
    for (std::size_t i = p.position; i < job.end; ++i) {
      if (std::holds_alternative<wire::StringDef>(playlist->messages[i])) {
        p.ending_messages.push_back(playlist->messages[i]);
      }
    }
    for (int rank = 0; rank < playlist->world; ++rank) {
      const auto summary = job.done_summaries.find(static_cast<std::uint32_t>(rank));
      p.ending_messages.push_back(wire::JobDone{p.job_id, static_cast<std::uint32_t>(rank), wire::JobStatus::Cancelled,
                                                p.images_done[rank],
                                                summary != job.done_summaries.end() ? summary->second : "{}"});
    }
    p.ending = true;
  }

  static void track(Playback& p, const wire::Message& message) {
    if (const auto* step = std::get_if<wire::StepDone>(&message)) {
      p.steps_done[step->rank] = step->step;
    } else if (const auto* image = std::get_if<wire::ImageDone>(&message)) {
      ++p.images_done[image->rank];
      p.steps_done[image->rank] = 0;
    } else if (std::holds_alternative<wire::JobDone>(message)) {
      ++p.job_dones_played;
    }
  }

  bool plays(const wire::Message& message, const Playback& p) const {
    if (std::holds_alternative<wire::Hello>(message)) return false;
    const auto id = job_id_of(message);
    return !id || *id == p.recorded->recorded_id;  // another job's stray message is not this job's
  }

  void play_job() {
    Playback& p = *playback;
    const int this_generation = generation;
    if (!p.ending) {
      const RecordedJob& job = *p.recorded;
      while (p.position < job.end && !plays(playlist->messages[p.position], p))
        ++p.position;
      if (cancel_takes_effect(p)) {
        begin_cancelled_ending(p);
      } else if (p.position == job.end) {
        if (job.missing_done.empty()) {
          finish_playback();
        } else {
          fail(ends_inside_job(p));
        }
        return;
      } else {
        const wire::Message& recorded = playlist->messages[p.position];
        if (const auto key = step_key_of(recorded); key && key->second >= 1 && p.paced.insert(*key).second) {
          const auto step_ms = job.step_ms.find(*key);
          const double wait = step_wait_ms(step_ms != job.step_ms.end() ? step_ms->second : 0);
          if (wait > 0) {
            schedule(wait);
            return;
          }
        }
        wire::Message message = recorded;
        set_job_id(message, p.job_id);
        ++p.position;
        track(p, message);
        emit q->messageReceived(message);
        if (generation == this_generation) schedule(0);
        return;
      }
    }
    if (p.ending_messages.empty()) {
      finish_playback();
      return;
    }
    const wire::Message message = std::move(p.ending_messages.front());
    p.ending_messages.pop_front();
    emit q->messageReceived(message);
    if (generation == this_generation) schedule(0);
  }

  QString ends_inside_job(const Playback& p) const {
    const RecordedJob& job = *p.recorded;
    const bool last = job.end == playlist->messages.size();
    QString text =
        last ? QString("the recording %1 ends inside job %2 (replayed as job %3): %4 sent no JobDone")
             : QString(
                   "the recording %1 breaks off inside job %2 (replayed as job %3): %4 sent no JobDone before "
                   "the recorded workers started anew");
    text = text.arg(playlist->path).arg(job.recorded_id).arg(p.job_id).arg(rank_list(job.missing_done));
    if (last && !playlist->cut_off.empty()) text += " (" + QString::fromStdString(playlist->cut_off) + ")";
    return text;
  }

  // ---- from the session -------------------------------------------------------------------------
  void on_cancel(const wire::Cancel& cancel) {
    if (cancel.mode == wire::CancelMode::Pending) return;  // the session's queue, not the workers'
    auto [it, inserted] = cancels.try_emplace(cancel.job_id, cancel.mode);
    if (!inserted && cancel.mode == wire::CancelMode::Now) it->second = wire::CancelMode::Now;
    // Waiting out a step's recorded time: a cancel that applies now need not wait for it.
    if (playback && cancel_takes_effect(*playback)) schedule(0);
  }
};

ReplayPool::ReplayPool(QObject* parent) : WorkerLink(parent), impl_(std::make_unique<Impl>(this)) {
  register_session_metatypes();
}

ReplayPool::~ReplayPool() {
  // Stop without telling anyone: the receivers may be half destroyed themselves.
  blockSignals(true);
  impl_->stop();
}

void ReplayPool::start(const ReplayOptions& options) {
  if (impl_->state == PoolState::Starting || impl_->state == PoolState::Ready) stop();
  impl_->start(options);
}

void ReplayPool::stop() {
  impl_->stop();
}

void ReplayPool::restart() {
  const ReplayOptions options = impl_->options;
  stop();
  impl_->start(options);
}

PoolState ReplayPool::state() const {
  return impl_->state;
}

int ReplayPool::world() const {
  return impl_->playlist ? impl_->playlist->world : 0;
}

QVector<WorkerInfo> ReplayPool::workers() const {
  return impl_->infos;
}

bool ReplayPool::send_to_all(const wire::Message& message) {
  if (impl_->state != PoolState::Ready) return false;
  if (const auto* job = std::get_if<wire::Job>(&message)) {
    impl_->queue.push_back({job->job_id, false});
    impl_->start_next();
  } else if (const auto* forward = std::get_if<wire::ForwardJob>(&message)) {
    impl_->queue.push_back({forward->job_id, true});
    impl_->start_next();
  } else if (const auto* cancel = std::get_if<wire::Cancel>(&message)) {
    impl_->on_cancel(*cancel);
  }
  return true;
}

int ReplayPool::recorded_jobs() const {
  return impl_->playlist ? static_cast<int>(impl_->playlist->jobs.size()) : 0;
}

}  // namespace spstudio::app
