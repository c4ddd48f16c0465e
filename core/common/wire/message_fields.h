// SPDX-License-Identifier: Apache-2.0
// The one list of every message's fields in wire order. The encoder and the decoder
// (field_codec.h) both walk it, so the two directions cannot disagree; the names are the ones
// errors print ("StepPreview.tile"). Appending a field here changes the protocol: bump
// kProtocolVersion.
#pragma once

#include "common/wire/codec.h"
#include "common/wire/messages.h"

namespace spstudio::wire::detail {

/// Whether `type` is a MessageType value.
bool is_message_type(std::uint16_t type);

template <class T>
struct Fields;  // Fields<M>::kType, kName and visit(io, m) for every message M

#define SPSTUDIO_WIRE_MESSAGE(M)                       \
  static constexpr MessageType kType = MessageType::M; \
  static constexpr const char* kName = #M

template <>
struct Fields<Hello> {
  SPSTUDIO_WIRE_MESSAGE(Hello);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("token", m.token);
    io.field("rank", m.rank);
    io.field("world", m.world);
    io.field("device", m.device);
    io.field("memory_bytes", m.memory_bytes);
    io.field("pid", m.pid);
  }
};

template <>
struct Fields<Welcome> {
  SPSTUDIO_WIRE_MESSAGE(Welcome);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("protocol_version", m.protocol_version);
  }
};

template <>
struct Fields<Reject> {
  SPSTUDIO_WIRE_MESSAGE(Reject);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("reason", m.reason);
  }
};

template <>
struct Fields<Ready> {
  SPSTUDIO_WIRE_MESSAGE(Ready);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("world", m.world);
    io.field("backend", m.backend);
    io.field("device", m.device);
    io.field("intra_op_threads", m.intra_op_threads);
  }
};

template <>
struct Fields<Job> {
  SPSTUDIO_WIRE_MESSAGE(Job);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("model", m.model);
    io.field("prompt", m.prompt);
    io.field("negative_prompt", m.negative_prompt);
    io.field("height", m.height);
    io.field("width", m.width);
    io.field("steps", m.steps);
    io.field("guidance", m.guidance);
    io.field("true_cfg_scale", m.true_cfg_scale);
    io.field("seed", m.seed);
    io.field("images", m.images);
    io.field("plan_json", m.plan_json);
    io.field("ulysses_degree", m.ulysses_degree);
    io.field("ring_degree", m.ring_degree);
    io.field("preview_interval", m.preview_interval);
    io.field("send_latents", m.send_latents);
    io.field("profile", m.profile);
  }
};

template <>
struct Fields<ForwardJob> {
  SPSTUDIO_WIRE_MESSAGE(ForwardJob);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("model", m.model);
    io.field("component", m.component);
    io.field("inputs_path", m.inputs_path);
    io.field("outputs_path", m.outputs_path);
    io.field("plan_json", m.plan_json);
    io.field("ulysses_degree", m.ulysses_degree);
    io.field("ring_degree", m.ring_degree);
  }
};

template <>
struct Fields<Cancel> {
  SPSTUDIO_WIRE_MESSAGE(Cancel);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("mode", m.mode);
  }
};

template <>
struct Fields<StepPreview> {
  SPSTUDIO_WIRE_MESSAGE(StepPreview);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("image_index", m.image_index);
    io.field("rank", m.rank);
    io.field("step", m.step);
    io.field("steps", m.steps);
    io.field("x", m.x);
    io.field("y", m.y);
    io.field("full_width", m.full_width);
    io.field("full_height", m.full_height);
    io.field("covered_x_begin", m.covered_x_begin);
    io.field("covered_x_end", m.covered_x_end);
    io.field("pixel_scale", m.pixel_scale);
    io.field("step_end_ns", m.step_end_ns);
    io.field("tile", m.tile);
  }
};

template <>
struct Fields<Latent> {
  SPSTUDIO_WIRE_MESSAGE(Latent);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("image_index", m.image_index);
    io.field("rank", m.rank);
    io.field("step", m.step);
    io.field("name", m.name);
    io.field("tensor", m.tensor);
  }
};

template <>
struct Fields<StringDef> {
  SPSTUDIO_WIRE_MESSAGE(StringDef);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("id", m.id);
    io.field("text", m.text);
  }
};

template <>
struct Fields<Ranges> {
  SPSTUDIO_WIRE_MESSAGE(Ranges);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("image_index", m.image_index);
    io.field("rank", m.rank);
    io.field("step", m.step);
    io.field("records", m.records);
  }
};

template <>
struct Fields<StepDone> {
  SPSTUDIO_WIRE_MESSAGE(StepDone);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("image_index", m.image_index);
    io.field("rank", m.rank);
    io.field("step", m.step);
    io.field("steps", m.steps);
    io.field("step_ms", m.step_ms);
    io.field("timestep", m.timestep);
    io.field("sigma", m.sigma);
    io.field("step_end_ns", m.step_end_ns);
  }
};

template <>
struct Fields<ImageDone> {
  SPSTUDIO_WIRE_MESSAGE(ImageDone);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("image_index", m.image_index);
    io.field("rank", m.rank);
    io.field("seed", m.seed);
    io.field("image", m.image);
    io.field("latents", m.latents);
    io.field("summary_json", m.summary_json);
  }
};

template <>
struct Fields<JobDone> {
  SPSTUDIO_WIRE_MESSAGE(JobDone);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("job_id", m.job_id);
    io.field("rank", m.rank);
    io.field("status", m.status);
    io.field("images_done", m.images_done);
    io.field("summary_json", m.summary_json);
  }
};

template <>
struct Fields<Log> {
  SPSTUDIO_WIRE_MESSAGE(Log);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("level", m.level);
    io.field("text", m.text);
  }
};

template <>
struct Fields<Error> {
  SPSTUDIO_WIRE_MESSAGE(Error);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("job_id", m.job_id);
    io.field("code", m.code);
    io.field("message", m.message);
  }
};

template <>
struct Fields<Heartbeat> {
  SPSTUDIO_WIRE_MESSAGE(Heartbeat);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("time_ns", m.time_ns);
  }
};

template <>
struct Fields<Bye> {
  SPSTUDIO_WIRE_MESSAGE(Bye);
  template <class Io, class M>
  static void visit(Io& io, M& m) {
    io.field("rank", m.rank);
    io.field("reason", m.reason);
  }
};

#undef SPSTUDIO_WIRE_MESSAGE

// ---- nested values ------------------------------------------------------------------------------

/// RangeRecord's fields; kWireBytes lets the decoder bound a declared count before allocating.
struct RangeRecordFields {
  static constexpr std::size_t kWireBytes = 4 + 8 + 8 + 2 + 2;
  template <class Io, class R>
  static void visit(Io& io, R& r) {
    io.field("name_id", r.name_id);
    io.field("begin_ns", r.begin_ns);
    io.field("end_ns", r.end_ns);
    io.field("depth", r.depth);
    io.field("stream", r.stream);
  }
};

}  // namespace spstudio::wire::detail
