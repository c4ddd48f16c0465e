// SPDX-License-Identifier: Apache-2.0
// The names of the profiling ranges the engine records (DESIGN.md "Profiling"). Workers register
// them as strings once (StringDef); the CLI's bench, trace export and the GUI's timeline group
// time by them, so they are spelled in one place.
#pragma once

namespace spstudio::range_names {

inline constexpr const char* kStep = "step";                         ///< one denoising step
inline constexpr const char* kTextEncode = "text_encode";            ///< CLIP + T5
inline constexpr const char* kTransformer = "transformer";           ///< one transformer forward
inline constexpr const char* kBlock = "transformer_block";           ///< double- or single-stream block
inline constexpr const char* kAttention = "attention";               ///< a whole attention layer
inline constexpr const char* kAttentionKernel = "attention_kernel";  ///< the local softmax(QKᵀ)V
inline constexpr const char* kAllToAll = "all_to_all";               ///< a Ulysses all-to-all
inline constexpr const char* kRingHop = "ring_hop";                  ///< one ring step (kernel + merge)
inline constexpr const char* kRingP2P = "ring_p2p";                  ///< waiting for the next K/V
inline constexpr const char* kShard = "shard";                       ///< a split hook
inline constexpr const char* kGather = "gather";                     ///< a gather hook (all-gather)
inline constexpr const char* kVaeDecode = "vae_decode";
inline constexpr const char* kPreview = "preview";  ///< x0 → RGB tile

}  // namespace spstudio::range_names
