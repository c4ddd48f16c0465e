// SPDX-License-Identifier: Apache-2.0
// The state sequence parallelism shares across one model: the groups, whether SP is on, and the
// per-forward bookkeeping the hooks keep (SP-active regions, auto_pad records).
//
// Regions: attention communicates only inside a region opened by a split and closed by its
// gather. Each region remembers the call level its sharded values live at: an input split of a
// module at call depth d opens level d (its body), a split_output opens d - 1 (its caller), and a
// gather at depth d closes every region at level >= d - 1. So several split boundaries inside one
// model body (RoPE tables, timestep projections, ...) are all closed by the one gather after the
// output projection, while a sub-network that splits and gathers inside a sharded region closes
// only its own region. (The Python original keeps a bare counter that input splits do not bump.)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"
#include "common/parallel_config.h"
#include "sp/comm/process_groups.h"

namespace spstudio::sp {

struct PadRecord {
  std::int64_t original = 0;  ///< the length before padding
  std::int64_t padded = 0;    ///< the length after padding (a multiple of the SP size)
  std::string recorded_by;    ///< plan key and parameter, for error messages
};

struct SpRegion {
  std::string opened_by;  ///< plan key and what it sharded
  int level = 0;
};

class SpContext {
 public:
  /// Hooks: attention communicates inside split/gather regions (apply_sequence_parallel).
  /// Manual: attention communicates whenever the SP size is above 1 (hand-written sp_shard calls).
  enum class Mode { Hooks, Manual };

  explicit SpContext(SpGroups groups, Mode mode = Mode::Hooks);
  static std::shared_ptr<SpContext> single_process(Mode mode = Mode::Hooks);

  const ParallelConfig& config() const { return groups_.config; }
  const SpRankLayout& layout() const { return groups_.layout; }
  int rank() const { return groups_.layout.rank; }
  int world_size() const { return groups_.config.sp_size(); }
  Communicator& sp_group() const { return *groups_.sp; }
  Communicator& ulysses_group() const { return *groups_.ulysses; }
  Communicator& ring_group() const { return *groups_.ring; }

  Mode mode() const { return mode_; }
  bool enabled() const { return enabled_; }
  /// Disabled: hooks pass everything through and attention runs locally (every rank computes
  /// the whole model), without removing the hooks.
  void set_enabled(bool enabled) { enabled_ = enabled; }
  /// Whether attention layers communicate right now.
  bool sp_active() const;

  // ---- per-forward bookkeeping (hooks) -------------------------------------------------------
  /// Starts a root forward: drops regions and records a failed forward may have left.
  void begin_forward();
  void open_region(std::string opened_by, int level);
  /// Closes every region at `level` or deeper; returns how many.
  int close_regions(int level);
  const std::vector<SpRegion>& regions() const { return regions_; }

  /// auto_pad bookkeeping for a shard group ("" = default). Throws SequenceParallelError when the
  /// group already recorded a different original length.
  void record_padding(const std::string& group, PadRecord record);
  std::optional<PadRecord> padding(const std::string& group) const;
  void clear_padding(const std::string& group);

 private:
  SpGroups groups_;
  Mode mode_;
  bool enabled_ = true;
  std::vector<SpRegion> regions_;
  std::map<std::string, PadRecord> padding_;
};

using SpContextPtr = std::shared_ptr<SpContext>;

/// Modules that take part in SP beyond hooks (attention layers): apply_sequence_parallel hands
/// them the context, and manifests ask them to describe themselves.
class SpParticipant {
 public:
  virtual ~SpParticipant() = default;
  virtual void set_sp_context(SpContextPtr context) = 0;  ///< nullptr detaches
  virtual void describe(ModuleNode& node) const = 0;
};

/// "group 'image'" or "the default group", for messages.
std::string describe_shard_group(const std::string& group);

}  // namespace spstudio::sp
