// SPDX-License-Identifier: Apache-2.0
// A hand-written manifest shaped like a small joint-attention DiT, for GUI-free plan tests.
#pragma once

#include "common/manifest.h"

namespace spstudio::testing {

struct FixtureShapes {
  std::int64_t image_tokens = 64;  ///< S
  std::int64_t text_tokens = 8;    ///< T
  int heads = 4;
  int kv_heads = 4;
};

inline ModuleNode leaf(std::string name, std::string cls, std::vector<std::string> signature) {
  ModuleNode n;
  n.name = std::move(name);
  n.class_name = std::move(cls);
  n.hookable = true;
  n.signature = std::move(signature);
  return n;
}

/// root(hidden_states, encoder_hidden_states, timestep, img_ids, txt_ids)
///   x_embedder, context_embedder: Linear(input)
///   rope_prepare(img_ids, txt_ids) -> (txt_cos, txt_sin, img_cos, img_sin)
///   blocks: ModuleList of 3 Block(hidden_states, encoder_hidden_states, temb, image_rotary_emb)
///     attn: JointAttention (heads), cross_attn: CrossAttention (skip SP)
///   norm_out: LayerNorm (not hookable), proj_out: Linear(input)
inline ModuleNode fixture_tree(const FixtureShapes& f = {}, bool with_shapes = true) {
  const std::int64_t S = f.image_tokens, T = f.text_tokens, D = 32, hd = 8;
  using VS = ValueShape;
  ModuleNode root = leaf("", "TestDiT", {"hidden_states", "encoder_hidden_states", "timestep", "img_ids", "txt_ids"});
  ModuleNode x = leaf("x_embedder", "Linear", {"input"});
  ModuleNode c = leaf("context_embedder", "Linear", {"input"});
  ModuleNode rope = leaf("rope_prepare", "RopePrepare", {"img_ids", "txt_ids"});
  ModuleNode blocks;
  blocks.name = "blocks";
  blocks.class_name = "torch::nn::ModuleList";
  blocks.kind = ModuleKind::List;
  for (int i = 0; i < 3; ++i) {
    ModuleNode b =
        leaf(std::to_string(i), "Block", {"hidden_states", "encoder_hidden_states", "temb", "image_rotary_emb"});
    ModuleNode attn = leaf("attn", "JointAttention", {"hidden_states", "encoder_hidden_states", "image_rotary_emb"});
    attn.attention = AttentionInfo{f.heads, f.kv_heads, false};
    ModuleNode cross = leaf("cross_attn", "CrossAttention", {"hidden_states", "context"});
    cross.attention = AttentionInfo{3, 3, true};
    if (with_shapes) {
      b.inputs = {{"hidden_states", VS::tensor({1, S, D})},
                  {"encoder_hidden_states", VS::tensor({1, T, D})},
                  {"temb", VS::tensor({1, D})},
                  {"image_rotary_emb",
                   VS::list({VS::tensor({T, hd}), VS::tensor({T, hd}), VS::tensor({S, hd}), VS::tensor({S, hd})})}};
      b.output = VS::list({VS::tensor({1, S, D}), VS::tensor({1, T, D})});
    }
    b.children = {attn, cross};
    blocks.children.push_back(b);
  }
  ModuleNode norm;
  norm.name = "norm_out";
  norm.class_name = "torch::nn::LayerNorm";
  ModuleNode proj = leaf("proj_out", "Linear", {"input"});
  if (with_shapes) {
    root.inputs = {{"hidden_states", VS::tensor({1, S, 16})},
                   {"encoder_hidden_states", VS::tensor({1, T, 24})},
                   {"timestep", VS::tensor({1})},
                   {"img_ids", VS::tensor({S, 2})},
                   {"txt_ids", VS::tensor({T, 2})}};
    root.output = VS::tensor({1, S, 16});
    rope.inputs = {{"img_ids", VS::tensor({S, 2})}, {"txt_ids", VS::tensor({T, 2})}};
    rope.output = VS::list({VS::tensor({T, hd}), VS::tensor({T, hd}), VS::tensor({S, hd}), VS::tensor({S, hd})});
    proj.inputs = {{"input", VS::tensor({1, S, D})}};
    proj.output = VS::tensor({1, S, 16});
  }
  root.children = {x, c, rope, blocks, norm, proj};
  return root;
}

}  // namespace spstudio::testing
