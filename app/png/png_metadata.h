// SPDX-License-Identifier: Apache-2.0
// What a generated PNG says about how it was made: the A1111-style `parameters` text chunk that
// image browsers and web UIs read, and the `spstudio` iTXt chunk with the exact JSON (plan,
// degrees, devices, step timings) the GUI's "recall parameters" reads back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/png/png_file.h"

namespace spstudio::png {

inline constexpr const char* kParametersKeyword = "parameters";
inline constexpr const char* kSpstudioKeyword = "spstudio";
inline constexpr const char* kImageMetadataFormat = "spstudio-image/1";

struct GenerationMetadata {
  std::string model;  ///< "builtin:tiny-flux" or the folder
  std::string prompt, negative_prompt;
  std::uint64_t seed = 0;
  std::uint32_t steps = 0;
  double guidance = 3.5;
  double cfg_scale = 1.0;  ///< true CFG scale (1: off)
  std::uint32_t height = 0, width = 0;
  std::string sampler = "Euler (flow match)";
  /// The plan actually used, as JSON text (embedded as an object); empty: not known.
  std::string plan_json;
  int ulysses_degree = 1, ring_degree = 1, world_size = 1;
  std::vector<std::string> devices;  ///< per rank
  std::string backend;               ///< the communicator that ran ("local", "gloo", "nccl"); "" if not recorded
  std::vector<double> step_ms;       ///< rank 0's step times
  double encode_ms = 0, decode_ms = 0;
};

/// "<prompt>\nNegative prompt: <neg>\nSteps: 4, Sampler: Euler (flow match), CFG scale: 1,
/// Guidance: 3.5, Seed: 42, Size: 256x256, Model: builtin:tiny-flux, Ulysses degree: 2, Ring degree: 2"
/// (no negative line when the negative prompt is empty; Size is width x height as A1111 writes it).
std::string a1111_parameters(const GenerationMetadata& metadata);

/// The `spstudio` chunk: {"format": "spstudio-image/1", "model", "prompt", ..., "plan": {...},
/// "timings": {"step_ms": [..], "encode_ms", "decode_ms"}}. Throws std::invalid_argument when
/// plan_json is not JSON.
std::string spstudio_metadata_json(const GenerationMetadata& metadata);
/// Reads the chunk back; throws std::runtime_error naming the missing or ill-typed field.
GenerationMetadata parse_spstudio_metadata_json(const std::string& text);

/// Writes `rgb` (width × height × 3) to `path` atomically with both chunks.
void write_generation_png(const std::string& path, std::uint32_t width, std::uint32_t height,
                          std::vector<std::uint8_t> rgb, const GenerationMetadata& metadata);

}  // namespace spstudio::png
