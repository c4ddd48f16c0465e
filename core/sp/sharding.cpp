// SPDX-License-Identifier: Apache-2.0
#include "sp/sharding.h"

#include "sp/errors.h"

namespace spstudio::sp {
namespace {
thread_local ShardingValidator* t_validator = nullptr;

void check_rank(int rank, int world_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    throw SequenceParallelError("sp_shard: rank " + std::to_string(rank) + " of " + std::to_string(world_size) +
                                " is invalid");
}
}  // namespace

std::int64_t normalize_dim(std::int64_t dim, std::int64_t rank, const std::string& what) {
  if (dim < -rank || dim >= rank)
    throw SequenceParallelError(what + ": dim " + std::to_string(dim) + " is out of range for a " +
                                std::to_string(rank) + "-D tensor");
  return dim < 0 ? dim + rank : dim;
}

at::Tensor sp_shard(const at::Tensor& t, std::int64_t dim, int rank, int world_size) {
  check_rank(rank, world_size);
  dim = normalize_dim(dim, t.dim(), "sp_shard");
  if (world_size == 1) return t;
  const std::int64_t size = t.size(dim);
  if (size < world_size)
    throw SequenceParallelError("sp_shard: size " + std::to_string(size) + " along dim " + std::to_string(dim) +
                                " is smaller than the sequence-parallel size " + std::to_string(world_size));
  if (size % world_size != 0)
    throw SequenceParallelError("sp_shard: size " + std::to_string(size) + " along dim " + std::to_string(dim) +
                                " is not divisible by the sequence-parallel size " + std::to_string(world_size));
  const std::int64_t local = size / world_size;
  return t.narrow(dim, rank * local, local).clone(at::MemoryFormat::Contiguous);
}

PaddedShard sp_shard_with_padding(const at::Tensor& t, std::int64_t dim, int rank, int world_size, double pad_value) {
  check_rank(rank, world_size);
  dim = normalize_dim(dim, t.dim(), "sp_shard_with_padding");
  if (world_size == 1) return {t, 0};
  const std::int64_t size = t.size(dim);
  const std::int64_t local = (size + world_size - 1) / world_size;
  const std::int64_t pad = local * world_size - size;
  const std::int64_t start = rank * local;
  const std::int64_t valid = std::max<std::int64_t>(0, std::min(local, size - start));
  if (valid == local) return {t.narrow(dim, start, local).clone(at::MemoryFormat::Contiguous), pad};
  auto sizes = t.sizes().vec();
  sizes[dim] = local;
  at::Tensor shard = at::full(sizes, pad_value, t.options());
  if (valid > 0) shard.narrow(dim, 0, valid).copy_(t.narrow(dim, start, valid));
  return {shard, pad};
}

at::Tensor sp_gather(Communicator& group, const at::Tensor& shard, std::int64_t dim) {
  dim = normalize_dim(dim, shard.dim(), "sp_gather");
  if (group.size() == 1) return shard;
  return at::cat(group.all_gather(shard), dim);
}

at::Tensor sp_shard(const SpContext& context, const at::Tensor& t, std::int64_t dim, const std::string& name) {
  if (ShardingValidator* v = ShardingValidator::current(); v && !name.empty()) v->record_shard(name, dim);
  return sp_shard(t, dim, context.rank(), context.world_size());
}

PaddedShard sp_shard_with_padding(const SpContext& context, const at::Tensor& t, std::int64_t dim,
                                  const std::string& name, double pad_value) {
  if (ShardingValidator* v = ShardingValidator::current(); v && !name.empty()) v->record_shard(name, dim);
  return sp_shard_with_padding(t, dim, context.rank(), context.world_size(), pad_value);
}

at::Tensor sp_gather(const SpContext& context, const at::Tensor& t, std::int64_t dim, const std::string& name) {
  if (ShardingValidator* v = ShardingValidator::current(); v && !name.empty()) v->record_gather(name, dim);
  return sp_gather(context.sp_group(), t, dim);
}

ShardingValidator::Scope::Scope(ShardingValidator& v) : previous_(t_validator) {
  t_validator = &v;
}
ShardingValidator::Scope::~Scope() {
  t_validator = previous_;
}

ShardingValidator* ShardingValidator::current() {
  return t_validator;
}

void ShardingValidator::record_shard(const std::string& name, std::int64_t dim) {
  if (open_.count(name)) {
    problems_.push_back("'" + name + "' was sharded again before being gathered");
    return;
  }
  open_[name] = dim;
}

void ShardingValidator::record_gather(const std::string& name, std::int64_t dim) {
  const auto it = open_.find(name);
  if (it == open_.end()) {
    problems_.push_back("'" + name + "' was gathered but never sharded");
    return;
  }
  if (it->second != dim)
    problems_.push_back("'" + name + "' was sharded on dim " + std::to_string(it->second) + " but gathered on dim " +
                        std::to_string(dim));
  open_.erase(it);
}

void ShardingValidator::validate() const {
  std::string report;
  for (const auto& [name, dim] : open_)
    report += "\n  '" + name + "' (dim " + std::to_string(dim) + ") was sharded but never gathered";
  for (const std::string& p : problems_)
    report += "\n  " + p;
  if (!report.empty()) throw SequenceParallelError("sharding validation failed:" + report);
}

void ShardingValidator::clear() {
  open_.clear();
  problems_.clear();
}

}  // namespace spstudio::sp
