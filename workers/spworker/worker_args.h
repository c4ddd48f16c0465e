// SPDX-License-Identifier: Apache-2.0
// spworker's command line (workers/SPWORKER.md). Pure C++: parsed and unit-tested without LibTorch.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace spstudio::workers {

enum class WorkerMode { Serve, Describe, Version, Help };
enum class DeviceRequest { Auto, Cpu, Cuda };
/// Weights and activations of the models a worker loads. Auto: bfloat16 on CUDA, float32 on the CPU
/// (bfloat16/float16 are accepted on the CPU too, for tests).
enum class DtypeRequest { Auto, Float32, BFloat16, Float16 };

struct WorkerArgs {
  WorkerMode mode = WorkerMode::Serve;
  // Serve
  std::string socket_path;
  int rank = -1, world = 0;
  int store_port = -1;
  DeviceRequest device = DeviceRequest::Auto;
  DtypeRequest dtype = DtypeRequest::Auto;
  int threads = 0;  ///< intra-op threads; 0: default_threads()
  int heartbeat_ms = 1000;
  int rendezvous_timeout_ms = 30000;   ///< joining the TCPStore and the first groups
  int collective_timeout_ms = 600000;  ///< one collective (a peer may be decoding a large image)
  // Describe
  std::string model = "builtin:tiny-flux";
  int height = 256, width = 256;
};

/// A command line that cannot be used; the message names the option and what it accepts.
class ArgumentError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses argv[1..] (without the program name). Throws ArgumentError.
WorkerArgs parse_worker_args(const std::vector<std::string>& args);

/// Intra-op threads for one of `world` ranks sharing `hardware_threads` cores (at least 1).
int default_threads(unsigned hardware_threads, int world);

/// The usage text printed by --help and after argument errors.
const char* worker_usage();

const char* to_string(DeviceRequest device);
/// "auto", "float32", "bfloat16", "float16": the --dtype spellings.
const char* to_string(DtypeRequest dtype);

/// The SP Studio version this worker was built from ("0.1.0").
const char* worker_version();

}  // namespace spstudio::workers
