// SPDX-License-Identifier: Apache-2.0
#include "sp/comm/sequence_all_to_all.h"

#include "common/profiling/range_names.h"
#include "sp/errors.h"
#include "sp/parallel_errors.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp {
namespace {
void check_layout(const at::Tensor& x, std::int64_t head_dim, const char* what) {
  if (x.dim() < 3 || head_dim < 2 || head_dim >= x.dim())
    throw SequenceParallelError(std::string(what) + ": expected [B, S, ..., H, ...] with heads on dim " +
                                std::to_string(head_dim) + ", got " + c10::str(x.sizes()));
}
}  // namespace

at::Tensor all_to_all_scatter_heads(Communicator& group, const at::Tensor& x, std::int64_t head_dim) {
  check_layout(x, head_dim, "Ulysses all-to-all");
  const std::int64_t u = group.size();
  if (u == 1) return x;
  const std::int64_t heads = x.size(head_dim);
  require_heads_divisible(heads, u, "Ulysses all-to-all");
  const ScopedRange range(range_names::kAllToAll);
  // [B, Sl, .., U, H/U, ..] → [U, B, Sl, .., H/U, ..]: block j (heads j) goes to rank j.
  at::Tensor send = x.unflatten(head_dim, {u, heads / u}).movedim(head_dim, 0).contiguous();
  at::Tensor recv = group.all_to_all(send);  // block i: rank i's sequence chunk of my heads
  return recv.movedim(0, 1).flatten(1, 2);   // [B, U·Sl, .., H/U, ..]
}

at::Tensor all_to_all_gather_heads(Communicator& group, const at::Tensor& x, std::int64_t head_dim) {
  check_layout(x, head_dim, "Ulysses reverse all-to-all");
  const std::int64_t u = group.size();
  if (u == 1) return x;
  const std::int64_t seq = x.size(1);
  if (seq % u != 0)
    throw SequenceParallelError("Ulysses reverse all-to-all: sequence length " + std::to_string(seq) +
                                " does not split over " + std::to_string(u) + " ranks");
  const ScopedRange range(range_names::kAllToAll);
  // [B, U, Sl, .., Hl, ..] → [U, B, Sl, .., Hl, ..]: sequence chunk j goes back to rank j.
  at::Tensor send = x.unflatten(1, {u, seq / u}).movedim(1, 0).contiguous();
  at::Tensor recv = group.all_to_all(send);                          // block j: my sequence chunk, heads of rank j
  return recv.movedim(0, head_dim).flatten(head_dim, head_dim + 1);  // [B, Sl, .., U·Hl, ..]
}

}  // namespace spstudio::sp
