// SPDX-License-Identifier: Apache-2.0
// Range name → colour group, by the names in common/profiling/range_names.h.
#include "ui/timeline/range_category.h"

#include <cstring>

#include "common/profiling/range_names.h"

namespace spstudio::ui {

RangeCategory category_of(const std::string& range_name) {
  namespace names = range_names;
  const char* name = range_name.c_str();
  const auto is = [name](const char* known) { return std::strcmp(name, known) == 0; };
  if (is(names::kAttentionKernel)) return RangeCategory::kAttentionKernel;
  if (is(names::kAllToAll)) return RangeCategory::kAllToAll;
  if (is(names::kRingP2P)) return RangeCategory::kRingP2P;
  if (is(names::kShard) || is(names::kGather)) return RangeCategory::kShardGather;
  if (is(names::kVaeDecode)) return RangeCategory::kVae;
  if (is(names::kStep) || is(names::kTransformer) || is(names::kBlock) || is(names::kAttention) ||
      is(names::kRingHop) || is(names::kTextEncode)) {
    return RangeCategory::kCompute;
  }
  return RangeCategory::kOther;
}

const char* category_label(RangeCategory category) {
  switch (category) {
    case RangeCategory::kCompute:
      return "compute";
    case RangeCategory::kAttentionKernel:
      return "attention kernel";
    case RangeCategory::kAllToAll:
      return "all-to-all";
    case RangeCategory::kRingP2P:
      return "ring P2P";
    case RangeCategory::kShardGather:
      return "shard + gather";
    case RangeCategory::kVae:
      return "VAE";
    case RangeCategory::kOther:
      return "other";
  }
  return "other";
}

}  // namespace spstudio::ui
