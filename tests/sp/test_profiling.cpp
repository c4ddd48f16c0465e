// SPDX-License-Identifier: Apache-2.0
// Profiling ranges (DESIGN.md "Profiling"): the RangeRecorder's contract (off by default, per-thread
// nesting, interned names reported once, draining), and the ranges the engine records in real runs:
// the test DiT under Ulysses and Ring on in-thread Gloo ranks, and a tiny-flux generation. Device
// timing through a fake DeviceTimer (the recorder's side; the CUDA timer is in tests/gpu).
// The recorder is process-wide, so ranks run as threads share it: ranges are told apart by the
// recording thread (ThreadRange::thread).
#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include "common/profiling/range_names.h"
#include "models/flux/pipeline_folder.h"
#include "models/flux/transformer.h"
#include "models/test_dit/test_dit.h"
#include "sp/apply_plan.h"
#include "sp/profiling/scoped_range.h"
#include "thread_ranks.h"

namespace spstudio::sp {
namespace {

namespace names = range_names;

/// Recording on for one test, starting from an empty buffer; off and empty again afterwards.
class Recording {
 public:
  Recording() {
    RangeRecorder::instance().clear();
    RangeRecorder::instance().set_enabled(true);
  }
  ~Recording() {
    RangeRecorder::instance().set_enabled(false);
    RangeRecorder::instance().clear();
  }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
};

std::uint32_t id_of(const char* name) {
  return RangeRecorder::instance().intern(name);
}

std::vector<ThreadRange> of_thread(const std::vector<ThreadRange>& ranges, std::uint32_t thread) {
  std::vector<ThreadRange> out;
  for (const ThreadRange& r : ranges)
    if (r.thread == thread) out.push_back(r);
  return out;
}

std::map<std::uint32_t, int> count_by_name(const std::vector<ThreadRange>& ranges) {
  std::map<std::uint32_t, int> counts;
  for (const ThreadRange& r : ranges)
    ++counts[r.record.name_id];
  return counts;
}

bool contains(const wire::RangeRecord& outer, const wire::RangeRecord& inner) {
  return outer.begin_ns <= inner.begin_ns && inner.end_ns <= outer.end_ns;
}

/// Every range has begin ≤ end, and every range at depth d > 0 lies inside a range of depth d - 1
/// on the same thread that closed after it (ranges are listed in closing order).
void expect_well_nested(const std::vector<ThreadRange>& ranges) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const ThreadRange& child = ranges[i];
    EXPECT_LE(child.record.begin_ns, child.record.end_ns) << "range " << i;
    if (child.record.depth == 0) continue;
    bool has_parent = false;
    for (std::size_t j = i + 1; j < ranges.size() && !has_parent; ++j) {
      const ThreadRange& p = ranges[j];
      has_parent =
          p.thread == child.thread && p.record.depth + 1 == child.record.depth && contains(p.record, child.record);
    }
    EXPECT_TRUE(has_parent) << "range " << i << " (name id " << child.record.name_id << ", depth " << child.record.depth
                            << ") has no enclosing range one level up";
  }
}

/// How many ranges named `inner` lie inside some range named `outer` of the same thread.
int count_inside(const std::vector<ThreadRange>& ranges, const char* inner, const char* outer) {
  int n = 0;
  for (const ThreadRange& c : ranges) {
    if (c.record.name_id != id_of(inner)) continue;
    for (const ThreadRange& p : ranges)
      if (p.thread == c.thread && p.record.name_id == id_of(outer) && p.record.depth < c.record.depth &&
          contains(p.record, c.record)) {
        ++n;
        break;
      }
  }
  return n;
}

// ---- the recorder ------------------------------------------------------------------------------

TEST(RangeRecorder, RecordsNothingWhileDisabled) {
  RangeRecorder& recorder = RangeRecorder::instance();
  recorder.set_enabled(false);
  recorder.clear();
  {
    const ScopedRange outer(names::kStep);
    const ScopedRange inner(names::kBlock);
  }
  EXPECT_TRUE(recorder.take_ranges().empty());

  // A range opened while recording is on but closed after it was turned off is dropped, and the
  // disabled ranges left no depth behind.
  {
    Recording recording;
    {
      const ScopedRange open_across(names::kStep);
      recorder.set_enabled(false);
    }
    EXPECT_TRUE(recorder.take_ranges().empty());
    recorder.set_enabled(true);
    { const ScopedRange fresh(names::kBlock); }
    const auto ranges = recorder.take_ranges();
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_EQ(ranges[0].depth, 0);
  }
  EXPECT_FALSE(recorder.enabled());
}

TEST(RangeRecorder, NestedRangesHaveDepthsAndParentsContainChildren) {
  Recording recording;
  {
    const ScopedRange step(names::kStep);
    {
      const ScopedRange block(names::kBlock);
      const ScopedRange attention(names::kAttention);
    }
    const ScopedRange second_block(names::kBlock);
  }
  const std::vector<ThreadRange> ranges = RangeRecorder::instance().take_thread_ranges();
  ASSERT_EQ(ranges.size(), 4u);
  // Closing order: attention, block, second block, step.
  const std::vector<std::pair<const char*, int>> expected = {
      {names::kAttention, 2}, {names::kBlock, 1}, {names::kBlock, 1}, {names::kStep, 0}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(ranges[i].record.name_id, id_of(expected[i].first)) << "range " << i;
    EXPECT_EQ(ranges[i].record.depth, expected[i].second) << "range " << i;
    EXPECT_EQ(ranges[i].record.stream, 0);
    EXPECT_EQ(ranges[i].thread, RangeRecorder::current_thread());
  }
  EXPECT_TRUE(contains(ranges[1].record, ranges[0].record));
  EXPECT_TRUE(contains(ranges[3].record, ranges[1].record));
  EXPECT_TRUE(contains(ranges[3].record, ranges[2].record));
  EXPECT_LE(ranges[1].record.end_ns, ranges[2].record.begin_ns);  // siblings do not overlap
  expect_well_nested(ranges);
}

TEST(RangeRecorder, InternsByContentAndReportsNewNamesOnce) {
  RangeRecorder& recorder = RangeRecorder::instance();
  recorder.take_new_names();
  const std::string alpha = "profiling_test_alpha";  // a different pointer than the literal below
  const std::uint32_t a = recorder.intern("profiling_test_alpha");
  EXPECT_EQ(recorder.intern(alpha.c_str()), a);
  const std::uint32_t b = recorder.intern("profiling_test_beta");
  EXPECT_NE(a, b);
  EXPECT_NE(a, 0u);
  const std::vector<std::pair<std::uint32_t, std::string>> expected = {{a, "profiling_test_alpha"},
                                                                       {b, "profiling_test_beta"}};
  EXPECT_EQ(recorder.take_new_names(), expected);
  EXPECT_TRUE(recorder.take_new_names().empty());
  EXPECT_EQ(recorder.intern("profiling_test_alpha"), a);
  EXPECT_TRUE(recorder.take_new_names().empty());

  // A range with a name never seen before registers it once.
  Recording recording;
  for (int i = 0; i < 3; ++i) {
    const ScopedRange range("profiling_test_gamma");
  }
  const auto names_now = recorder.take_new_names();
  ASSERT_EQ(names_now.size(), 1u);
  EXPECT_EQ(names_now[0].second, "profiling_test_gamma");
  const auto ranges = recorder.take_ranges();
  ASSERT_EQ(ranges.size(), 3u);
  for (const wire::RangeRecord& r : ranges)
    EXPECT_EQ(r.name_id, names_now[0].first);
}

TEST(RangeRecorder, TakeRangesDrainsAndClearDrops) {
  Recording recording;
  RangeRecorder& recorder = RangeRecorder::instance();
  for (int i = 0; i < 3; ++i) {
    const ScopedRange range(names::kStep);
  }
  const std::vector<wire::RangeRecord> first = recorder.take_ranges();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_LE(first[0].end_ns, first[1].begin_ns);
  EXPECT_LE(first[1].end_ns, first[2].begin_ns);
  EXPECT_TRUE(recorder.take_ranges().empty());
  { const ScopedRange range(names::kStep); }
  recorder.clear();
  EXPECT_TRUE(recorder.take_thread_ranges().empty());
}

TEST(RangeRecorder, ThreadsKeepTheirOwnDepths) {
  Recording recording;
  std::promise<void> a_open, b_done;
  std::future<void> a_open_seen = a_open.get_future(), b_done_seen = b_done.get_future();
  std::uint32_t thread_a = 0, thread_b = 0;
  std::thread a([&] {
    thread_a = RangeRecorder::current_thread();
    const ScopedRange outer(names::kStep);
    a_open.set_value();
    b_done_seen.wait();  // b records while a's outer range is open
    const ScopedRange inner(names::kBlock);
  });
  std::thread b([&] {
    thread_b = RangeRecorder::current_thread();
    a_open_seen.wait();
    { const ScopedRange only(names::kAttention); }
    b_done.set_value();
  });
  a.join();
  b.join();
  { const ScopedRange main_thread(names::kGather); }
  const std::vector<ThreadRange> ranges = RangeRecorder::instance().take_thread_ranges();
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_NE(thread_a, thread_b);
  EXPECT_EQ(ranges[0].thread, thread_b);  // b's range closed first
  EXPECT_EQ(ranges[0].record.depth, 0);   // not nested under a's open range
  EXPECT_EQ(ranges[1].thread, thread_a);
  EXPECT_EQ(ranges[1].record.depth, 1);
  EXPECT_EQ(ranges[2].thread, thread_a);
  EXPECT_EQ(ranges[2].record.depth, 0);
  EXPECT_EQ(ranges[3].thread, RangeRecorder::current_thread());
  EXPECT_EQ(ranges[3].record.depth, 0);
  expect_well_nested(ranges);
}

TEST(RangeRecorder, ClockIsTheMonotonicClockAndPeakMemoryIsReported) {
  auto monotonic_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  };
  const std::int64_t before = monotonic_ns(), ours = steady_now_ns(), after = monotonic_ns();
  EXPECT_LE(before, ours);
  EXPECT_LE(ours, after);

  const std::uint64_t peak_before = peak_host_memory_bytes();
  EXPECT_GT(peak_before, 1u << 20);
  std::vector<char> touched(64u << 20, 1);  // 64 MiB, written: resident
  const std::uint64_t peak_after = peak_host_memory_bytes();
  EXPECT_GE(peak_after, peak_before);
  EXPECT_GE(peak_after, touched.size());
}

// ---- device timing (a fake timer: the recorder's side of it, no GPU needed) ---------------------

/// A DeviceTimer whose marks are plain indices and whose resolve gives mark i the time the test
/// chose: origin + 1000 · (i + 1) ns. Counts its calls; can be told to fail.
class FakeDeviceTimer final : public DeviceTimer {
 public:
  explicit FakeDeviceTimer(std::uint16_t stream) : stream_(stream) {}
  std::uint32_t mark() override {
    if (fail_marks) throw std::runtime_error("fake mark failed");
    ++marks;
    return next_++;
  }
  std::vector<std::int64_t> resolve() override {
    ++resolves;
    std::vector<std::int64_t> times;
    for (std::uint32_t i = 0; i < next_; ++i)
      times.push_back(origin + 1000 * (static_cast<std::int64_t>(i) + 1));
    next_ = 0;
    return times;
  }
  std::uint16_t stream_id() const override { return stream_; }

  std::int64_t origin = 0;
  int marks = 0, resolves = 0;
  bool fail_marks = false;

 private:
  std::uint16_t stream_;
  std::uint32_t next_ = 0;
};

/// Installs a timer for one test; removes it afterwards.
class InstalledTimer {
 public:
  explicit InstalledTimer(std::shared_ptr<DeviceTimer> timer) { RangeRecorder::instance().set_device_timer(timer); }
  ~InstalledTimer() { RangeRecorder::instance().set_device_timer(nullptr); }
  InstalledTimer(const InstalledTimer&) = delete;
  InstalledTimer& operator=(const InstalledTimer&) = delete;
};

TEST(DeviceTiming, NestedRangesGiveHostAndDeviceRangesWithTheResolvedTimes) {
  Recording recording;
  auto timer = std::make_shared<FakeDeviceTimer>(3);
  timer->origin = 5'000'000;
  InstalledTimer installed(timer);
  RangeRecorder& recorder = RangeRecorder::instance();
  EXPECT_TRUE(recorder.has_device_timer());
  {
    const ScopedRange step(names::kStep);  // marks 0 (begin) and 5 (end)
    {
      const ScopedRange block(names::kBlock);  // marks 1 and 2
    }
    const ScopedRange second_block(names::kBlock);  // marks 3 and 4
  }
  EXPECT_EQ(timer->marks, 6);
  EXPECT_EQ(timer->resolves, 0);  // nothing resolved until the ranges are taken
  const std::vector<ThreadRange> ranges = recorder.take_thread_ranges();
  EXPECT_EQ(timer->resolves, 1);
  ASSERT_EQ(ranges.size(), 6u);
  // Host ranges first, in closing order, on stream 0; then the device ranges, in closing order,
  // on the timer's stream, at mark i ↦ origin + 1000 (i + 1).
  struct Expected {
    const char* name;
    int depth, stream;
    std::int64_t begin_ns, end_ns;  // device ranges only
  };
  const std::int64_t o = timer->origin;
  const std::vector<Expected> expected = {
      {names::kBlock, 1, 0, 0, 0},
      {names::kBlock, 1, 0, 0, 0},
      {names::kStep, 0, 0, 0, 0},
      {names::kBlock, 1, 3, o + 2000, o + 3000},
      {names::kBlock, 1, 3, o + 4000, o + 5000},
      {names::kStep, 0, 3, o + 1000, o + 6000},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("range " + std::to_string(i));
    EXPECT_EQ(ranges[i].record.name_id, id_of(expected[i].name));
    EXPECT_EQ(ranges[i].record.depth, expected[i].depth);
    EXPECT_EQ(ranges[i].record.stream, expected[i].stream);
    EXPECT_EQ(ranges[i].thread, RangeRecorder::current_thread());
    if (expected[i].stream != 0) {
      EXPECT_EQ(ranges[i].record.begin_ns, expected[i].begin_ns);
      EXPECT_EQ(ranges[i].record.end_ns, expected[i].end_ns);
    }
  }
  // The host ranges keep their host times (not the fake's small numbers) and nest.
  EXPECT_GT(ranges[0].record.begin_ns, o + 1'000'000);
  EXPECT_TRUE(contains(ranges[2].record, ranges[0].record));
  EXPECT_TRUE(contains(ranges[2].record, ranges[1].record));

  // Nothing pending: a second take resolves nothing; take_ranges carries the stream on the wire.
  EXPECT_TRUE(recorder.take_ranges().empty());
  EXPECT_EQ(timer->resolves, 1);
  { const ScopedRange again(names::kGather); }  // marks 0 and 1 again: the resolve restarted them
  const std::vector<wire::RangeRecord> wire_ranges = recorder.take_ranges();
  EXPECT_EQ(timer->resolves, 2);
  ASSERT_EQ(wire_ranges.size(), 2u);
  EXPECT_EQ(wire_ranges[0].stream, 0);
  EXPECT_EQ(wire_ranges[1].stream, 3);
  EXPECT_EQ(wire_ranges[1].name_id, id_of(names::kGather));
  EXPECT_EQ(wire_ranges[1].begin_ns, o + 1000);
  EXPECT_EQ(wire_ranges[1].end_ns, o + 2000);
}

TEST(DeviceTiming, NoMarksWhileRecordingIsOff) {
  RangeRecorder& recorder = RangeRecorder::instance();
  recorder.set_enabled(false);
  recorder.clear();
  auto timer = std::make_shared<FakeDeviceTimer>(1);
  InstalledTimer installed(timer);
  {
    const ScopedRange outer(names::kStep);
    const ScopedRange inner(names::kBlock);
  }
  EXPECT_EQ(timer->marks, 0);
  EXPECT_TRUE(recorder.take_ranges().empty());
  EXPECT_EQ(timer->resolves, 0);

  // Turned off while a range is open: its begin was marked, its end is not, and it records nothing.
  Recording recording;  // clears, which resolves once
  const int resolves_before = timer->resolves;
  {
    const ScopedRange open_across(names::kStep);
    recorder.set_enabled(false);
  }
  EXPECT_EQ(timer->marks, 1);
  EXPECT_TRUE(recorder.take_ranges().empty());
  EXPECT_EQ(timer->resolves, resolves_before);
}

TEST(DeviceTiming, ClearDropsPendingRangesAndRestartsTheTimersIndices) {
  Recording recording;
  auto timer = std::make_shared<FakeDeviceTimer>(1);
  InstalledTimer installed(timer);
  RangeRecorder& recorder = RangeRecorder::instance();
  { const ScopedRange dropped(names::kStep); }
  { const ScopedRange dropped_too(names::kStep); }  // marks 0..3
  recorder.clear();
  EXPECT_EQ(timer->resolves, 1);  // clear resolved (and discarded) so indices restart
  { const ScopedRange kept(names::kBlock); }
  const std::vector<ThreadRange> ranges = recorder.take_thread_ranges();
  EXPECT_EQ(timer->resolves, 2);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[1].record.stream, 1);
  EXPECT_EQ(ranges[1].record.name_id, id_of(names::kBlock));
  EXPECT_EQ(ranges[1].record.begin_ns, 1000);  // mark 0, not mark 4
  EXPECT_EQ(ranges[1].record.end_ns, 2000);
}

TEST(DeviceTiming, ARangeOpenAcrossATakeGetsNoDeviceRange) {
  Recording recording;
  auto timer = std::make_shared<FakeDeviceTimer>(1);
  InstalledTimer installed(timer);
  RangeRecorder& recorder = RangeRecorder::instance();
  std::vector<ThreadRange> first, second;
  {
    const ScopedRange outer(names::kStep);  // mark 0, resolved by the take below
    { const ScopedRange inner(names::kBlock); }
    first = recorder.take_thread_ranges();
  }  // its end mark falls in the next period: it cannot be paired with its begin
  second = recorder.take_thread_ranges();
  ASSERT_EQ(first.size(), 2u);  // inner: host and device
  EXPECT_EQ(first[1].record.stream, 1);
  EXPECT_EQ(first[1].record.begin_ns, 2000);  // marks 1 and 2
  EXPECT_EQ(first[1].record.end_ns, 3000);
  ASSERT_EQ(second.size(), 1u);  // outer: host only
  EXPECT_EQ(second[0].record.name_id, id_of(names::kStep));
  EXPECT_EQ(second[0].record.stream, 0);
  EXPECT_EQ(timer->resolves, 1);  // the second take had nothing to resolve
}

TEST(DeviceTiming, TimerErrorsSurfaceAtTheTakeNotInTheRange) {
  Recording recording;
  auto timer = std::make_shared<FakeDeviceTimer>(1);
  InstalledTimer installed(timer);
  RangeRecorder& recorder = RangeRecorder::instance();
  timer->fail_marks = true;
  EXPECT_NO_THROW({ const ScopedRange range(names::kStep); });
  EXPECT_THROW(recorder.take_ranges(), std::runtime_error);
  // The host range stayed for the next take; the error was reported once.
  const std::vector<wire::RangeRecord> after = recorder.take_ranges();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].stream, 0);
  EXPECT_EQ(after[0].name_id, id_of(names::kStep));
}

TEST(DeviceTiming, RemovingOrReplacingTheTimerKeepsItsPendingRanges) {
  Recording recording;
  RangeRecorder& recorder = RangeRecorder::instance();
  auto first = std::make_shared<FakeDeviceTimer>(1);
  first->origin = 100'000;
  recorder.set_device_timer(first);
  { const ScopedRange range(names::kStep); }
  auto second = std::make_shared<FakeDeviceTimer>(2);
  recorder.set_device_timer(second);  // resolves first's pending range now
  EXPECT_EQ(first->resolves, 1);
  { const ScopedRange range(names::kBlock); }
  recorder.set_device_timer(nullptr);
  EXPECT_FALSE(recorder.has_device_timer());
  { const ScopedRange range(names::kGather); }  // host only now
  const std::vector<wire::RangeRecord> ranges = recorder.take_ranges();
  std::map<std::pair<std::uint32_t, int>, wire::RangeRecord> by_name_and_stream;
  for (const wire::RangeRecord& r : ranges)
    by_name_and_stream[{r.name_id, r.stream}] = r;
  ASSERT_EQ(ranges.size(), 5u);
  ASSERT_EQ(by_name_and_stream.size(), 5u);
  EXPECT_EQ(by_name_and_stream.at({id_of(names::kStep), 1}).begin_ns, 101'000);
  EXPECT_EQ(by_name_and_stream.at({id_of(names::kStep), 1}).end_ns, 102'000);
  EXPECT_EQ(by_name_and_stream.at({id_of(names::kBlock), 2}).begin_ns, 1000);
  EXPECT_EQ(by_name_and_stream.at({id_of(names::kBlock), 2}).end_ns, 2000);
  EXPECT_EQ(by_name_and_stream.count({id_of(names::kGather), 0}), 1u);
  EXPECT_EQ(by_name_and_stream.count({id_of(names::kStep), 0}), 1u);
  EXPECT_EQ(by_name_and_stream.count({id_of(names::kBlock), 0}), 1u);

  EXPECT_THROW(recorder.set_device_timer(std::make_shared<FakeDeviceTimer>(0)), std::invalid_argument);
  EXPECT_FALSE(recorder.has_device_timer());
}

// ---- ranges of real runs ------------------------------------------------------------------------

/// Runs one forward of the test DiT under `config` on in-thread ranks with recording on; returns
/// each rank's ranges.
std::vector<std::vector<ThreadRange>> test_dit_ranges(const ParallelConfig& config) {
  const models::TestDiTConfig dit_config;
  const models::TestDiTInputs in = models::make_test_dit_inputs(dit_config, 4, 4, 5, 3);
  std::vector<std::uint32_t> threads(config.sp_size());
  Recording recording;
  testing::run_ranks(config, [&](int rank, SpGroups& groups) {
    threads[rank] = RangeRecorder::current_thread();
    models::TestDiT dit(dit_config);
    dit->init_weights(7);
    apply_sequence_parallel(*dit, models::test_dit_plan(dit_config), std::make_shared<SpContext>(groups));
    dit->forward(in);
  });
  const std::vector<ThreadRange> all = RangeRecorder::instance().take_thread_ranges();
  expect_well_nested(all);
  std::vector<std::vector<ThreadRange>> per_rank;
  for (const std::uint32_t t : threads)
    per_rank.push_back(of_thread(all, t));
  return per_rank;
}

TEST(EngineRanges, UlyssesRecordsAttentionAllToAllShardAndGatherOnEveryRank) {
  const models::TestDiTConfig c;
  const int sp_attention = static_cast<int>(c.double_blocks + c.single_blocks);  // joint self-attention
  const int local_attention = c.cross_attention ? static_cast<int>(c.double_blocks) : 0;
  const auto per_rank = test_dit_ranges({2, 1});
  for (std::size_t rank = 0; rank < per_rank.size(); ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    const std::vector<ThreadRange>& ranges = per_rank[rank];
    std::map<std::uint32_t, int> n = count_by_name(ranges);
    EXPECT_EQ(n[id_of(names::kBlock)], c.double_blocks + c.single_blocks);
    EXPECT_EQ(n[id_of(names::kAttention)], sp_attention + local_attention);
    EXPECT_EQ(n[id_of(names::kAttentionKernel)], sp_attention + local_attention);
    // One all-to-all for q, k and v together and one back, per sequence-parallel attention.
    EXPECT_EQ(n[id_of(names::kAllToAll)], 2 * sp_attention);
    EXPECT_GE(n[id_of(names::kShard)], 2);  // the root split and the RoPE tables
    EXPECT_GE(n[id_of(names::kGather)], 1);
    EXPECT_EQ(n[id_of(names::kRingHop)], 0);
    EXPECT_EQ(count_inside(ranges, names::kAllToAll, names::kAttention), n[id_of(names::kAllToAll)]);
    EXPECT_EQ(count_inside(ranges, names::kAttentionKernel, names::kAttention), n[id_of(names::kAttentionKernel)]);
    EXPECT_EQ(count_inside(ranges, names::kAttention, names::kBlock), n[id_of(names::kAttention)]);
  }
}

TEST(EngineRanges, RingRecordsHopsAndOnlyTheWaitAsP2P) {
  const models::TestDiTConfig c;
  const int sp_attention = static_cast<int>(c.double_blocks + c.single_blocks);
  const int local_attention = c.cross_attention ? static_cast<int>(c.double_blocks) : 0;
  const auto per_rank = test_dit_ranges({1, 2});
  for (std::size_t rank = 0; rank < per_rank.size(); ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    const std::vector<ThreadRange>& ranges = per_rank[rank];
    std::map<std::uint32_t, int> n = count_by_name(ranges);
    EXPECT_EQ(n[id_of(names::kRingHop)], 2 * sp_attention);  // R = 2 hops per attention
    EXPECT_EQ(n[id_of(names::kRingP2P)], sp_attention);      // the last hop waits for nothing
    EXPECT_EQ(n[id_of(names::kAttentionKernel)], 2 * sp_attention + local_attention);
    EXPECT_EQ(n[id_of(names::kAllToAll)], 0);  // Ulysses degree 1: no all-to-all, no range
    EXPECT_EQ(count_inside(ranges, names::kRingP2P, names::kRingHop), n[id_of(names::kRingP2P)]);
    EXPECT_EQ(count_inside(ranges, names::kRingHop, names::kAttention), n[id_of(names::kRingHop)]);
    // The wait is not the kernel: no kernel range overlaps a P2P range.
    for (const ThreadRange& p2p : ranges) {
      if (p2p.record.name_id != id_of(names::kRingP2P)) continue;
      for (const ThreadRange& k : ranges) {
        if (k.record.name_id != id_of(names::kAttentionKernel)) continue;
        EXPECT_TRUE(k.record.end_ns <= p2p.record.begin_ns || p2p.record.end_ns <= k.record.begin_ns);
      }
    }
  }
}

TEST(EngineRanges, TinyFluxGenerationRecordsEveryStageNested) {
  models::flux::FluxPipeline pipeline = models::flux::make_tiny_flux(3);
  const models::FluxTransformerConfig& tc = pipeline.parts().transformer->config();
  models::flux::GenerationRequest r;
  r.prompt = "a photo of a cat";
  r.height = 64;
  r.width = 64;
  r.steps = 2;
  r.seed = 5;
  r.max_sequence_length = 16;

  Recording recording;
  RangeRecorder& recorder = RangeRecorder::instance();
  std::vector<ThreadRange> ranges;
  std::vector<int> steps_seen_in_callback;
  pipeline.generate(r, [&](const models::flux::StepEvent&) {
    // The step's range is closed before the callback, so a worker draining here sends it with it.
    std::vector<ThreadRange> drained = recorder.take_thread_ranges();
    steps_seen_in_callback.push_back(count_by_name(drained)[id_of(names::kStep)]);
    ranges.insert(ranges.end(), drained.begin(), drained.end());
    return true;
  });
  const std::vector<ThreadRange> rest = recorder.take_thread_ranges();
  ranges.insert(ranges.end(), rest.begin(), rest.end());
  EXPECT_EQ(steps_seen_in_callback, (std::vector<int>{1, 1}));

  ranges = of_thread(ranges, RangeRecorder::current_thread());
  std::map<std::uint32_t, int> n = count_by_name(ranges);
  const int blocks_per_forward = static_cast<int>(tc.num_layers + tc.num_single_layers);
  EXPECT_EQ(n[id_of(names::kTextEncode)], 1);
  EXPECT_EQ(n[id_of(names::kStep)], 2);
  EXPECT_EQ(n[id_of(names::kTransformer)], 2);
  EXPECT_EQ(n[id_of(names::kBlock)], 2 * blocks_per_forward);
  EXPECT_EQ(n[id_of(names::kAttention)], 2 * blocks_per_forward);
  EXPECT_EQ(n[id_of(names::kVaeDecode)], 1);
  expect_well_nested(ranges);
  EXPECT_EQ(count_inside(ranges, names::kTransformer, names::kStep), 2);
  EXPECT_EQ(count_inside(ranges, names::kBlock, names::kTransformer), 2 * blocks_per_forward);
  EXPECT_EQ(count_inside(ranges, names::kAttention, names::kBlock), 2 * blocks_per_forward);

  // Text encoding, the steps and the decode follow one another at the top level.
  std::vector<std::pair<std::int64_t, std::uint32_t>> top;  // (begin, name)
  for (const ThreadRange& t : ranges)
    if (t.record.depth == 0) top.emplace_back(t.record.begin_ns, t.record.name_id);
  std::sort(top.begin(), top.end());
  const std::vector<std::uint32_t> order = {id_of(names::kTextEncode), id_of(names::kStep), id_of(names::kStep),
                                            id_of(names::kVaeDecode)};
  std::vector<std::uint32_t> seen;
  for (const auto& t : top)
    seen.push_back(t.second);
  EXPECT_EQ(seen, order);
}

}  // namespace
}  // namespace spstudio::sp
