// SPDX-License-Identifier: Apache-2.0
// The messages between spworker and the supervisor (DESIGN.md "Wire protocol"). Plain value types:
// the codec (wire/codec.h) turns them into length-capped typed frames and back.
//
// Connection: the worker sends the preamble (magic "SPSTUDIO" + u32 protocol version), then Hello;
// the supervisor answers Welcome or Reject. After that both sides exchange frames until Bye.
// Every worker → supervisor message carries the sender's rank, so a recorded stream (the frames of
// all ranks interleaved, wire/recording.h) replays without knowing which socket a frame came from.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace spstudio::wire {

/// A tensor on the wire: safetensors dtype name ("F32", "BF16", "F16", "F64", "U8", "I32", "I64"),
/// shape, and the row-major bytes (little-endian). The codec checks bytes == numel · itemsize
/// (also accepted: "I16", "I8", "BOOL"). An empty dtype with no shape and no bytes is "no tensor".
struct TensorData {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> bytes;
};

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel (the codec checks the size).
struct RgbImage {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// ---- handshake --------------------------------------------------------------------------------
struct Hello {        // worker → supervisor, right after the preamble
  std::string token;  ///< the session token from the worker's command line
  std::uint32_t rank = 0, world = 1;
  std::string device;              ///< "cpu" or "cuda:0", plus a readable name: "cuda:0 NVIDIA H100"
  std::uint64_t memory_bytes = 0;  ///< device memory (RAM on CPU)
  std::uint32_t pid = 0;
};
struct Welcome {  // supervisor → worker
  std::uint32_t protocol_version = 0;
};
struct Reject {  // supervisor → worker; the connection closes after it
  std::string reason;
};
/// worker → supervisor once the communicator is up (rendezvous done, device selected).
struct Ready {
  std::uint32_t rank = 0, world = 1;
  std::string backend;  ///< "gloo", "nccl", "local"
  std::string device;
  std::uint32_t intra_op_threads = 0;
};

// ---- jobs (supervisor → every worker) ---------------------------------------------------------
struct Job {
  std::uint64_t job_id = 0;
  std::string model;  ///< "builtin:tiny-flux" or a diffusers folder
  std::string prompt, negative_prompt;
  std::uint32_t height = 256, width = 256;
  std::uint32_t steps = 4;
  double guidance = 3.5;
  double true_cfg_scale = 1.0;
  std::uint64_t seed = 0;
  std::uint32_t images = 1;  ///< images in this job; image i uses seed + i
  std::string plan_json;     ///< empty: the model family's shipped plan
  std::uint32_t ulysses_degree = 1, ring_degree = 1;
  std::uint32_t preview_interval = 1;  ///< send a StepPreview every N steps (0: never)
  bool send_latents = false;           ///< also send the full x0 latent with each preview
  bool profile = true;                 ///< record and send Ranges
};
/// Runs one component on named inputs (spstudio-cli forward). Paths are on the workers' machine.
struct ForwardJob {
  std::uint64_t job_id = 0;
  std::string model;
  std::string component;                  ///< transformer | vae_decoder | text_encoder | text_encoder_2
  std::string inputs_path, outputs_path;  ///< safetensors; rank 0 writes the outputs
  std::string plan_json;
  std::uint32_t ulysses_degree = 1, ring_degree = 1;
};
enum class CancelMode : std::uint8_t {
  Now = 0,         ///< stop at the next step boundary, drop the job's remaining images
  AfterImage = 1,  ///< finish the image in progress, skip the job's remaining images
  Pending = 2,     ///< supervisor-side: drop queued jobs (workers ignore it)
};
struct Cancel {
  std::uint64_t job_id = 0;
  CancelMode mode = CancelMode::Now;
};

// ---- streaming (worker → supervisor) ----------------------------------------------------------
/// This rank's shard of the predicted x0, projected to RGB (one pixel per latent pixel). The tile
/// sits at (x, y) in a preview image of full_width × full_height; a shard that starts or ends
/// mid-row covers only columns [covered_x_begin, covered_x_end) of its first/last row.
struct StepPreview {
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
  std::uint32_t rank = 0;
  std::uint32_t step = 0, steps = 0;  ///< 1-based step that just finished
  std::uint32_t x = 0, y = 0;
  std::uint32_t full_width = 0, full_height = 0;
  std::uint32_t covered_x_begin = 0, covered_x_end = 0;
  std::uint32_t pixel_scale = 8;  ///< image pixels per preview pixel
  std::int64_t step_end_ns = 0;   ///< host steady clock when the step ended (latency measurement)
  RgbImage tile;
};
struct Latent {
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
  std::uint32_t rank = 0;
  std::uint32_t step = 0;  ///< the step whose x0 this is; steps+1 = the final latents
  std::string name;        ///< "x0" or "latents"
  TensorData tensor;
};
/// Registers a range name once per worker; Ranges refer to it by id.
struct StringDef {
  std::uint32_t rank = 0;
  std::uint32_t id = 0;
  std::string text;
};
struct RangeRecord {
  std::uint32_t name_id = 0;
  std::int64_t begin_ns = 0, end_ns = 0;  ///< host steady clock (one clock for every local rank)
  std::uint16_t depth = 0;                ///< nesting depth within the rank's stream
  std::uint16_t stream = 0;  ///< 0 = host clock around the call; 1 = the GPU compute stream, timed by CUDA events
};
struct Ranges {
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
  std::uint32_t rank = 0;
  /// The step these ranges belong to; 0 = before the first (text encode), -1 = after the last (VAE).
  std::int32_t step = 0;
  std::vector<RangeRecord> records;
};
struct StepDone {
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
  std::uint32_t rank = 0;
  std::uint32_t step = 0, steps = 0;
  double step_ms = 0;
  double timestep = 0, sigma = 0;
  std::int64_t step_end_ns = 0;
};
/// One finished image. Rank 0 sends the decoded image and the final latents; other ranks send
/// only their summary (empty image and tensor).
struct ImageDone {
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
  std::uint32_t rank = 0;
  std::uint64_t seed = 0;
  RgbImage image;
  TensorData latents;
  std::string summary_json;  ///< timings (encode/steps/decode ms), peak memory, device
};
enum class JobStatus : std::uint8_t { Ok = 0, Cancelled = 1, Failed = 2 };
struct JobDone {
  std::uint64_t job_id = 0;
  std::uint32_t rank = 0;
  JobStatus status = JobStatus::Ok;
  std::uint32_t images_done = 0;
  std::string summary_json;  ///< whole-job figures (peak memory, ...)
};
enum class LogLevel : std::uint8_t { Debug = 0, Info = 1, Warning = 2, Error = 3 };
struct Log {
  std::uint32_t rank = 0;
  LogLevel level = LogLevel::Info;
  std::string text;
};
/// Typed exit codes of spworker; Error carries the same code.
enum class ExitCode : std::uint8_t {
  Ok = 0,
  BadArguments = 2,
  DeviceInit = 3,
  CommunicatorInit = 4,
  PlanInvalid = 5,
  OutOfMemory = 6,
  ProtocolError = 7,
  ModelLoad = 8,
  JobFailed = 9,
  SupervisorLost = 10,
  Internal = 11,
};
/// A readable sentence for an exit code ("the plan is invalid").
const char* describe_exit_code(int code);

struct Error {
  std::uint32_t rank = 0;
  std::uint64_t job_id = 0;  ///< 0 when not about a job
  ExitCode code = ExitCode::Internal;
  std::string message;
};
struct Heartbeat {  // worker → supervisor, every second from the reader thread
  std::uint32_t rank = 0;
  std::int64_t time_ns = 0;
};
struct Bye {  // either direction: supervisor → worker = shut down; worker → supervisor = exiting
  std::uint32_t rank = 0;
  std::string reason;
};

using Message = std::variant<Hello, Welcome, Reject, Ready, Job, ForwardJob, Cancel, StepPreview, Latent, StringDef,
                             Ranges, StepDone, ImageDone, JobDone, Log, Error, Heartbeat, Bye>;

}  // namespace spstudio::wire
