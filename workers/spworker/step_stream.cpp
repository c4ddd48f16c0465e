// SPDX-License-Identifier: Apache-2.0
#include "step_stream.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "common/latent_preview.h"
#include "common/profiling/range_names.h"
#include "models/vae/flux_latents.h"
#include "models/vae/latent_preview_torch.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::workers {

wire::TensorData to_tensor_data(const at::Tensor& tensor) {
  at::Tensor t = tensor.detach().cpu();
  wire::TensorData d;
  if (at::isFloatingType(t.scalar_type())) {
    t = t.to(at::kFloat);
    d.dtype = "F32";
  } else if (t.scalar_type() == at::kByte) {
    d.dtype = "U8";
  } else {
    t = t.to(at::kLong);
    d.dtype = "I64";
  }
  t = t.contiguous();
  d.shape = t.sizes().vec();
  d.bytes.resize(static_cast<std::size_t>(t.numel()) * t.element_size());
  if (!d.bytes.empty()) std::memcpy(d.bytes.data(), t.data_ptr(), d.bytes.size());
  return d;
}

wire::RgbImage to_rgb_image(const at::Tensor& image) {
  const at::Tensor t = image.detach().cpu().to(at::kByte).contiguous();
  if (t.dim() != 3 || t.size(2) != 3)
    throw std::invalid_argument("an RGB image must be uint8 [H, W, 3], got " + c10::str(image.sizes()));
  wire::RgbImage out;
  out.height = static_cast<std::uint32_t>(t.size(0));
  out.width = static_cast<std::uint32_t>(t.size(1));
  out.rgb.assign(t.data_ptr<std::uint8_t>(), t.data_ptr<std::uint8_t>() + t.numel());
  return out;
}

std::optional<wire::StepPreview> make_step_preview(const models::flux::StepEvent& e, std::uint32_t pixel_scale) {
  if (e.shard_end <= e.shard_begin) return std::nullopt;
  sp::ScopedRange range(range_names::kPreview);
  const at::Tensor shard = e.x0_tokens.select(0, 0).slice(0, e.shard_begin, e.shard_end);
  const PreviewTile tile =
      models::preview_tile_from_tokens(flux_preview_table(), shard, e.shard_begin, static_cast<int>(e.grid_w));
  wire::StepPreview p;
  p.step = static_cast<std::uint32_t>(e.step);
  p.steps = static_cast<std::uint32_t>(e.steps);
  p.x = static_cast<std::uint32_t>(tile.x);
  p.y = static_cast<std::uint32_t>(tile.y);
  p.full_width = static_cast<std::uint32_t>(2 * e.grid_w);
  p.full_height = static_cast<std::uint32_t>(2 * e.grid_h);
  p.covered_x_begin = static_cast<std::uint32_t>(tile.covered_x_begin);
  p.covered_x_end = static_cast<std::uint32_t>(tile.covered_x_end);
  p.pixel_scale = pixel_scale;
  p.tile.width = static_cast<std::uint32_t>(tile.width);
  p.tile.height = static_cast<std::uint32_t>(tile.height);
  p.tile.rgb = tile.rgb;
  return p;
}

wire::TensorData x0_latents(const models::flux::StepEvent& e) {
  return to_tensor_data(models::unpack_latents(e.x0_tokens, 2 * e.grid_h, 2 * e.grid_w));
}

void send_ranges(const StreamTarget& target, std::int32_t step, std::int64_t step_begin_ns, std::int64_t step_end_ns) {
  sp::RangeRecorder& recorder = sp::RangeRecorder::instance();
  std::vector<wire::RangeRecord> records = recorder.take_ranges();
  const std::uint32_t step_id = recorder.intern(range_names::kStep);
  // On CUDA every range comes twice: host times on stream 0 and GPU times on the device's stream.
  // Each stream has its own step range, so records are split and nested against their own stream's.
  auto recorded_step = [&](std::uint16_t stream) {
    return std::find_if(records.begin(), records.end(),
                        [&](const wire::RangeRecord& r) { return r.name_id == step_id && r.stream == stream; });
  };
  const bool has_recorded_step = recorded_step(0) != records.end();
  if (step >= 1 && has_recorded_step) step_begin_ns = recorded_step(0)->begin_ns;  // exact, when recorded
  std::vector<wire::RangeRecord> before;  // text encoding, recorded before step 1 began
  if (step == 1) {
    std::map<std::uint16_t, std::int64_t> begin_of_stream;
    for (const wire::RangeRecord& r : records)
      if (r.name_id == step_id && !begin_of_stream.count(r.stream)) begin_of_stream[r.stream] = r.begin_ns;
    const auto first_of_step = std::stable_partition(records.begin(), records.end(), [&](const wire::RangeRecord& r) {
      const auto own = begin_of_stream.find(r.stream);
      return r.end_ns <= (own != begin_of_stream.end() ? own->second : step_begin_ns);
    });
    before.assign(records.begin(), first_of_step);
    records.erase(records.begin(), first_of_step);
  }
  if (step >= 1 && !has_recorded_step) {
    // The pipeline recorded no step range: add one that encloses what it did record (one level deeper).
    for (wire::RangeRecord& r : records)
      if (r.stream == 0 && r.begin_ns >= step_begin_ns && r.end_ns <= step_end_ns) ++r.depth;
    records.insert(records.begin(), wire::RangeRecord{step_id, step_begin_ns, step_end_ns, 0, 0});
  }
  for (auto& [id, text] : recorder.take_new_names())
    target.connection->send(wire::StringDef{target.rank, id, text});
  auto send = [&](std::int32_t s, std::vector<wire::RangeRecord> r) {
    if (r.empty()) return;
    wire::Ranges ranges;
    ranges.job_id = target.job_id;
    ranges.image_index = target.image_index;
    ranges.rank = target.rank;
    ranges.step = s;
    ranges.records = std::move(r);
    target.connection->send(std::move(ranges));
  };
  send(0, std::move(before));
  send(step, std::move(records));
}

}  // namespace spstudio::workers
