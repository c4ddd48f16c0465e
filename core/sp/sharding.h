// SPDX-License-Identifier: Apache-2.0
// Sharding utilities (SP_SEMANTICS.md §3). Rank k of P owns the contiguous rows
// [k·S/P, (k+1)·S/P) of the split dimension. Offsets are computed explicitly (chunk() gives
// 3,3,3,1 rows for 10 over 4 ranks and fewer than P pieces for tiny sizes), and every shard owns
// its own contiguous storage so the full tensor can be freed.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "sp/comm/communicator.h"
#include "sp/sp_context.h"

namespace spstudio::sp {

/// This rank's shard. P = 1 returns `t` itself. Throws SequenceParallelError when the size is
/// smaller than P or not divisible by it.
at::Tensor sp_shard(const at::Tensor& t, std::int64_t dim, int rank, int world_size);

struct PaddedShard {
  at::Tensor shard;
  std::int64_t pad = 0;  ///< rows of pad_value appended at the end of the whole tensor
};
/// Pads the end of `dim` to a multiple of P (only when needed), then shards.
PaddedShard sp_shard_with_padding(const at::Tensor& t, std::int64_t dim, int rank, int world_size,
                                  double pad_value = 0.0);

/// All-gathers equal shards in rank order and concatenates them along `dim`. A group of one
/// returns `shard` itself.
at::Tensor sp_gather(Communicator& group, const at::Tensor& shard, std::int64_t dim);

// Manual (intrusive) SP over a context's SP group. A non-empty `name` is recorded in the
// ShardingValidator being tracked on this thread, if any.
at::Tensor sp_shard(const SpContext& context, const at::Tensor& t, std::int64_t dim, const std::string& name = {});
PaddedShard sp_shard_with_padding(const SpContext& context, const at::Tensor& t, std::int64_t dim,
                                  const std::string& name = {}, double pad_value = 0.0);
at::Tensor sp_gather(const SpContext& context, const at::Tensor& t, std::int64_t dim, const std::string& name = {});

/// Debug aid for manual SP: records named shards and gathers made inside a track() scope and
/// reports shards never gathered, shards made twice and gathers without a shard.
class ShardingValidator {
 public:
  class Scope {
   public:
    explicit Scope(ShardingValidator& v);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ShardingValidator* previous_;
  };

  [[nodiscard]] Scope track() { return Scope(*this); }
  static ShardingValidator* current();  ///< the validator tracked on this thread, or nullptr

  void record_shard(const std::string& name, std::int64_t dim);
  void record_gather(const std::string& name, std::int64_t dim);

  /// Problems seen so far (double shard, gather without shard), in order.
  const std::vector<std::string>& problems() const { return problems_; }
  /// Throws SequenceParallelError listing every shard never gathered and every problem.
  void validate() const;
  void clear();

 private:
  std::map<std::string, std::int64_t> open_;  // name -> shard dim
  std::vector<std::string> problems_;
};

/// Normalises a possibly negative dim for a tensor of rank `rank`; throws naming `what`.
std::int64_t normalize_dim(std::int64_t dim, std::int64_t rank, const std::string& what);

}  // namespace spstudio::sp
