// SPDX-License-Identifier: Apache-2.0
// What the reader thread hands the compute thread: the queue of jobs and the cancel requests,
// kept per job id so a late Cancel for a finished job never touches the next one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <variant>

#include "common/wire/messages.h"

namespace spstudio::workers {

using WorkItem = std::variant<wire::Job, wire::ForwardJob>;

/// How far a job should go; higher values win (ranks agree on the maximum).
enum class CancelLevel : std::uint8_t { None = 0, AfterImage = 1, Now = 2 };

class JobControl {
 public:
  void push(WorkItem item);
  /// Blocks until a job is queued (returns it) or stop() is called (nullopt).
  std::optional<WorkItem> wait_next();
  void stop();

  /// Records a Cancel (Pending is the supervisor's business and ignored).
  void cancel(const wire::Cancel& cancel);
  CancelLevel cancel_level(std::uint64_t job_id) const;
  /// Drops the cancel requests of `job_id` and older jobs (after a job ends).
  void forget_cancels_up_to(std::uint64_t job_id);

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<WorkItem> queue_;
  std::map<std::uint64_t, CancelLevel> cancels_;
  bool stopped_ = false;
};

}  // namespace spstudio::workers
