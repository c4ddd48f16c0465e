// SPDX-License-Identifier: Apache-2.0
// The colour groups of the timeline's ranges and its legend: the same split as the bench's step
// breakdown (attention kernel / all-to-all / ring P2P) plus compute, shard+gather, VAE and other.
// GUI-free: the view picks the colours.
#pragma once

#include <array>
#include <string>

namespace spstudio::ui {

enum class RangeCategory {
  kCompute,          ///< step, transformer, transformer_block, attention, ring_hop, text_encode
  kAttentionKernel,  ///< attention_kernel
  kAllToAll,         ///< all_to_all
  kRingP2P,          ///< ring_p2p
  kShardGather,      ///< shard, gather
  kVae,              ///< vae_decode
  kOther,            ///< preview and names we do not know (imported traces)
};

inline constexpr std::array<RangeCategory, 7> kRangeCategories{
    RangeCategory::kCompute, RangeCategory::kAttentionKernel, RangeCategory::kAllToAll,
    RangeCategory::kRingP2P, RangeCategory::kShardGather,     RangeCategory::kVae,
    RangeCategory::kOther};

RangeCategory category_of(const std::string& range_name);
/// The legend's words: "compute", "attention kernel", "all-to-all", "ring P2P", "shard + gather",
/// "VAE", "other".
const char* category_label(RangeCategory category);

}  // namespace spstudio::ui
