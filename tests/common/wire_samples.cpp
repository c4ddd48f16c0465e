// SPDX-License-Identifier: Apache-2.0
#include "wire_samples.h"

#include <tuple>
#include <utility>
#include <variant>

namespace spstudio::wire::testing {
namespace {

// Every field of every type, listed by hand: a field the codec forgot to send decodes to its
// default and differs from the sample's non-default value.
auto fields_of(const TensorData& t) {
  return std::tie(t.dtype, t.shape, t.bytes);
}
auto fields_of(const RgbImage& i) {
  return std::tie(i.width, i.height, i.rgb);
}
auto fields_of(const RangeRecord& r) {
  return std::tie(r.name_id, r.begin_ns, r.end_ns, r.depth, r.stream);
}
auto fields_of(const Hello& m) {
  return std::tie(m.token, m.rank, m.world, m.device, m.memory_bytes, m.pid);
}
auto fields_of(const Welcome& m) {
  return std::tie(m.protocol_version);
}
auto fields_of(const Reject& m) {
  return std::tie(m.reason);
}
auto fields_of(const Ready& m) {
  return std::tie(m.rank, m.world, m.backend, m.device, m.intra_op_threads);
}
auto fields_of(const Job& m) {
  return std::tie(m.job_id, m.model, m.prompt, m.negative_prompt, m.height, m.width, m.steps, m.guidance,
                  m.true_cfg_scale, m.seed, m.images, m.plan_json, m.ulysses_degree, m.ring_degree, m.preview_interval,
                  m.send_latents, m.profile);
}
auto fields_of(const ForwardJob& m) {
  return std::tie(m.job_id, m.model, m.component, m.inputs_path, m.outputs_path, m.plan_json, m.ulysses_degree,
                  m.ring_degree);
}
auto fields_of(const Cancel& m) {
  return std::tie(m.job_id, m.mode);
}
auto fields_of(const StepPreview& m) {
  return std::tie(m.job_id, m.image_index, m.rank, m.step, m.steps, m.x, m.y, m.full_width, m.full_height,
                  m.covered_x_begin, m.covered_x_end, m.pixel_scale, m.step_end_ns, m.tile);
}
auto fields_of(const Latent& m) {
  return std::tie(m.job_id, m.image_index, m.rank, m.step, m.name, m.tensor);
}
auto fields_of(const StringDef& m) {
  return std::tie(m.rank, m.id, m.text);
}
auto fields_of(const Ranges& m) {
  return std::tie(m.job_id, m.image_index, m.rank, m.step, m.records);
}
auto fields_of(const StepDone& m) {
  return std::tie(m.job_id, m.image_index, m.rank, m.step, m.steps, m.step_ms, m.timestep, m.sigma, m.step_end_ns);
}
auto fields_of(const ImageDone& m) {
  return std::tie(m.job_id, m.image_index, m.rank, m.seed, m.image, m.latents, m.summary_json);
}
auto fields_of(const JobDone& m) {
  return std::tie(m.job_id, m.rank, m.status, m.images_done, m.summary_json);
}
auto fields_of(const Log& m) {
  return std::tie(m.rank, m.level, m.text);
}
auto fields_of(const Error& m) {
  return std::tie(m.rank, m.job_id, m.code, m.message);
}
auto fields_of(const Heartbeat& m) {
  return std::tie(m.rank, m.time_ns);
}
auto fields_of(const Bye& m) {
  return std::tie(m.rank, m.reason);
}

bool same(const TensorData& a, const TensorData& b) {
  return fields_of(a) == fields_of(b);
}
bool same(const RgbImage& a, const RgbImage& b) {
  return fields_of(a) == fields_of(b);
}
bool same(const std::vector<RangeRecord>& a, const std::vector<RangeRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fields_of(a[i]) != fields_of(b[i])) return false;
  }
  return true;
}
template <class T>
bool same(const T& a, const T& b) {
  return a == b;
}

template <class Tuple, std::size_t... I>
std::string first_difference(const Tuple& a, const Tuple& b, std::index_sequence<I...>) {
  std::string out;
  ((out.empty() && !same(std::get<I>(a), std::get<I>(b)) ? (out = "field #" + std::to_string(I) + " differs", 0) : 0),
   ...);
  return out;
}

std::vector<std::uint8_t> ramp(std::size_t n, std::uint8_t start) {
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(start + 7 * i);
  return out;
}

}  // namespace

std::vector<Message> sample_messages() {
  std::vector<Message> out;
  out.push_back(Hello{std::string("tok-\xff\0z", 7), 3, 4, "cuda:1 NVIDIA H100", 0x0123456789abcdefULL, 4242});
  out.push_back(Welcome{77});
  out.push_back(Reject{"wrong session token"});
  out.push_back(Ready{2, 8, "gloo", "cpu", 6});
  Job job;
  job.job_id = 0xfedcba9876543210ULL;
  job.model = "builtin:tiny-flux";
  job.prompt = "a lighthouse at dusk, \u00e9t\u00e9";
  job.negative_prompt = "blurry";
  job.height = 512;
  job.width = 768;
  job.steps = 28;
  job.guidance = -2.75;
  job.true_cfg_scale = 1e300;
  job.seed = 0xffffffffffffffffULL;
  job.images = 3;
  job.plan_json = R"({"": {}})";
  job.ulysses_degree = 2;
  job.ring_degree = 4;
  job.preview_interval = 5;
  job.send_latents = true;
  job.profile = false;
  out.push_back(job);
  out.push_back(
      ForwardJob{9, "/models/flux", "vae_decoder", "/tmp/in.safetensors", "/tmp/out.safetensors", "{\"x\": 1}", 3, 5});
  out.push_back(Cancel{12, CancelMode::AfterImage});
  StepPreview preview;
  preview.job_id = 21;
  preview.image_index = 1;
  preview.rank = 3;
  preview.step = 2;
  preview.steps = 9;
  preview.x = 4;
  preview.y = 6;
  preview.full_width = 32;
  preview.full_height = 24;
  preview.covered_x_begin = 2;
  preview.covered_x_end = 31;
  preview.pixel_scale = 16;
  preview.step_end_ns = -123456789012345LL;
  preview.tile = RgbImage{3, 2, ramp(18, 5)};
  out.push_back(preview);
  out.push_back(Latent{22, 2, 1, 5, "x0", TensorData{"BF16", {1, 2, 3}, ramp(12, 9)}});
  out.push_back(StringDef{5, 17, "attention_kernel"});
  out.push_back(Ranges{23, 4, 6, -1, {{1, 100, 250, 0, 0}, {2, -5, 1LL << 40, 65535, 7}, {3, 9, 9, 2, 1}}});
  out.push_back(StepDone{24, 5, 7, 3, 11, 12.625, 980.5, 0.875, 1LL << 50});
  ImageDone image;
  image.job_id = 25;
  image.image_index = 6;
  image.rank = 1;
  image.seed = 99;
  image.image = RgbImage{2, 2, ramp(12, 200)};
  image.latents = TensorData{"F32", {1, 1, 2}, ramp(8, 1)};
  image.summary_json = R"({"encode_ms": 1.5})";
  out.push_back(image);
  out.push_back(JobDone{26, 5, JobStatus::Cancelled, 2, R"({"peak_memory_bytes": 10})"});
  out.push_back(Log{4, LogLevel::Warning, "slow rank"});
  out.push_back(Error{6, 27, ExitCode::PlanInvalid, "plan entry 'blocks.*' has no module"});
  out.push_back(Heartbeat{7, -42});
  out.push_back(Bye{8, "shutting down"});
  return out;
}

std::string message_difference(const Message& a, const Message& b) {
  if (a.index() != b.index()) {
    return "different message types (" + type_name(static_cast<std::uint16_t>(type_of(a))) + " vs " +
           type_name(static_cast<std::uint16_t>(type_of(b))) + ")";
  }
  return std::visit(
      [&b](const auto& x) {
        const auto& y = std::get<std::decay_t<decltype(x)>>(b);
        const auto fx = fields_of(x);
        const auto fy = fields_of(y);
        return first_difference(fx, fy, std::make_index_sequence<std::tuple_size_v<decltype(fx)>>{});
      },
      a);
}

std::vector<std::uint8_t> payload_of(const Message& message) {
  const std::vector<std::uint8_t> frame = encode_frame(message);
  return {frame.begin() + kFrameHeaderBytes, frame.end()};
}

std::vector<std::uint8_t> raw_frame(std::uint32_t length, std::uint16_t type,
                                    const std::vector<std::uint8_t>& payload) {
  PayloadBuilder b;
  b.u32(length).u16(type);
  std::vector<std::uint8_t> out = b.bytes();
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

PayloadBuilder& PayloadBuilder::u8(std::uint8_t v) {
  bytes_.push_back(v);
  return *this;
}
PayloadBuilder& PayloadBuilder::u16(std::uint16_t v) {
  for (int i = 0; i < 2; ++i)
    bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return *this;
}
PayloadBuilder& PayloadBuilder::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return *this;
}
PayloadBuilder& PayloadBuilder::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return *this;
}
PayloadBuilder& PayloadBuilder::str(const std::string& s) {
  u32(static_cast<std::uint32_t>(s.size()));
  bytes_.insert(bytes_.end(), s.begin(), s.end());
  return *this;
}
PayloadBuilder& PayloadBuilder::blob(const std::vector<std::uint8_t>& b) {
  u32(static_cast<std::uint32_t>(b.size()));
  bytes_.insert(bytes_.end(), b.begin(), b.end());
  return *this;
}

}  // namespace spstudio::wire::testing
