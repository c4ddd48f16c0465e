// SPDX-License-Identifier: Apache-2.0
#include "job_control.h"

#include <algorithm>

namespace spstudio::workers {

void JobControl::push(WorkItem item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(item));
  }
  changed_.notify_all();
}

std::optional<WorkItem> JobControl::wait_next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
  if (stopped_) return std::nullopt;
  WorkItem item = std::move(queue_.front());
  queue_.pop_front();
  return item;
}

void JobControl::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

void JobControl::cancel(const wire::Cancel& cancel) {
  CancelLevel level = CancelLevel::None;
  if (cancel.mode == wire::CancelMode::Now) level = CancelLevel::Now;
  if (cancel.mode == wire::CancelMode::AfterImage) level = CancelLevel::AfterImage;
  if (level == CancelLevel::None) return;
  std::lock_guard<std::mutex> lock(mutex_);
  CancelLevel& current = cancels_[cancel.job_id];
  current = std::max(current, level);
}

CancelLevel JobControl::cancel_level(std::uint64_t job_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = cancels_.find(job_id);
  return it == cancels_.end() ? CancelLevel::None : it->second;
}

void JobControl::forget_cancels_up_to(std::uint64_t job_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  cancels_.erase(cancels_.begin(), cancels_.upper_bound(job_id));
}

}  // namespace spstudio::workers
