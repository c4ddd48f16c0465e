// SPDX-License-Identifier: Apache-2.0
#include "worker_args.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <functional>
#include <map>

namespace spstudio::workers {
namespace {

/// A whole-string integer in [min, max]; the message names the option.
int parse_int(const std::string& option, const std::string& text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
    throw ArgumentError(option + " expects an integer, got '" + text + "'");
  if (value < min || value > max)
    throw ArgumentError(option + " must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                        text);
  return static_cast<int>(value);
}

DeviceRequest parse_device(const std::string& text) {
  if (text == "auto") return DeviceRequest::Auto;
  if (text == "cpu") return DeviceRequest::Cpu;
  if (text == "cuda") return DeviceRequest::Cuda;
  throw ArgumentError("--device expects auto, cpu or cuda, got '" + text + "'");
}

DtypeRequest parse_dtype(const std::string& text) {
  for (const DtypeRequest d :
       {DtypeRequest::Auto, DtypeRequest::Float32, DtypeRequest::BFloat16, DtypeRequest::Float16})
    if (text == to_string(d)) return d;
  throw ArgumentError("--dtype expects auto, float32, bfloat16 or float16, got '" + text + "'");
}

}  // namespace

const char* to_string(DtypeRequest dtype) {
  switch (dtype) {
    case DtypeRequest::Auto:
      return "auto";
    case DtypeRequest::Float32:
      return "float32";
    case DtypeRequest::BFloat16:
      return "bfloat16";
    case DtypeRequest::Float16:
      return "float16";
  }
  return "?";
}

const char* to_string(DeviceRequest device) {
  switch (device) {
    case DeviceRequest::Auto:
      return "auto";
    case DeviceRequest::Cpu:
      return "cpu";
    case DeviceRequest::Cuda:
      return "cuda";
  }
  return "?";
}

const char* worker_version() {
  return SPSTUDIO_VERSION;  // from CMake (the project version)
}

const char* worker_usage() {
  return "usage:\n"
         "  spworker --socket PATH --rank R --world N --store-port P [--device auto|cpu|cuda]\n"
         "           [--dtype auto|float32|bfloat16|float16] [--threads T] [--heartbeat-ms 1000]\n"
         "           [--rendezvous-timeout-ms 30000] [--collective-timeout-ms 600000]\n"
         "  spworker --describe [--model builtin:tiny-flux|FOLDER] [--height 256] [--width 256]\n"
         "  spworker --version\n"
         "The session token comes from the environment variable SPSTUDIO_SESSION_TOKEN.\n"
         "--dtype auto: bfloat16 on CUDA, float32 on the CPU. SPSTUDIO_ATTENTION_KERNEL=math in the\n"
         "environment replaces the fused attention kernels (sdpa, the default) with float32 math.\n";
}

int default_threads(unsigned hardware_threads, int world) {
  return std::max(1, static_cast<int>(hardware_threads) / std::max(1, world));
}

WorkerArgs parse_worker_args(const std::vector<std::string>& args) {
  WorkerArgs a;
  bool describe = false, version = false, help = false;
  std::vector<std::string> serve_options, describe_options;  // given, to reject mixes
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, std::pair<bool, Setter>> valued = {
      // name → (is a describe option, setter)
      {"--socket", {false, [&](const std::string& v) { a.socket_path = v; }}},
      {"--rank", {false, [&](const std::string& v) { a.rank = parse_int("--rank", v, 0, 65535); }}},
      {"--world", {false, [&](const std::string& v) { a.world = parse_int("--world", v, 1, 65536); }}},
      {"--store-port", {false, [&](const std::string& v) { a.store_port = parse_int("--store-port", v, 1, 65535); }}},
      {"--device", {false, [&](const std::string& v) { a.device = parse_device(v); }}},
      {"--dtype", {false, [&](const std::string& v) { a.dtype = parse_dtype(v); }}},
      {"--threads", {false, [&](const std::string& v) { a.threads = parse_int("--threads", v, 1, 4096); }}},
      {"--heartbeat-ms",
       {false, [&](const std::string& v) { a.heartbeat_ms = parse_int("--heartbeat-ms", v, 10, 600000); }}},
      {"--rendezvous-timeout-ms",
       {false,
        [&](const std::string& v) { a.rendezvous_timeout_ms = parse_int("--rendezvous-timeout-ms", v, 1, INT_MAX); }}},
      {"--collective-timeout-ms",
       {false,
        [&](const std::string& v) { a.collective_timeout_ms = parse_int("--collective-timeout-ms", v, 1, INT_MAX); }}},
      {"--model", {true, [&](const std::string& v) { a.model = v; }}},
      {"--height", {true, [&](const std::string& v) { a.height = parse_int("--height", v, 1, 65536); }}},
      {"--width", {true, [&](const std::string& v) { a.width = parse_int("--width", v, 1, 65536); }}},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    bool inline_value = false;
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);  // --rank=1
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (name == "--describe" || name == "--version" || name == "--help" || name == "-h") {
      if (inline_value) throw ArgumentError(name + " takes no value");
      (name == "--describe" ? describe : name == "--version" ? version : help) = true;
      continue;
    }
    const auto it = valued.find(name);
    if (it == valued.end()) throw ArgumentError("unknown argument '" + args[i] + "'");
    if (!inline_value) {
      if (i + 1 >= args.size()) throw ArgumentError(name + " needs a value");
      value = args[++i];
    }
    (it->second.first ? describe_options : serve_options).push_back(name);
    it->second.second(value);
  }

  if (help) {
    a.mode = WorkerMode::Help;
    return a;
  }
  if (version) {
    a.mode = WorkerMode::Version;
    return a;
  }
  if (describe) {
    if (!serve_options.empty())
      throw ArgumentError("--describe does not take " + serve_options.front() + " (it runs no session)");
    a.mode = WorkerMode::Describe;
    return a;
  }
  if (!describe_options.empty()) throw ArgumentError(describe_options.front() + " is only used with --describe");
  if (a.socket_path.empty()) throw ArgumentError("--socket PATH is required (the supervisor's local socket)");
  if (a.world == 0) throw ArgumentError("--world N is required");
  if (a.rank < 0) throw ArgumentError("--rank R is required");
  if (a.rank >= a.world)
    throw ArgumentError("--rank " + std::to_string(a.rank) + " is out of range for --world " + std::to_string(a.world) +
                        " (ranks are 0 to " + std::to_string(a.world - 1) + ")");
  if (a.store_port < 0) throw ArgumentError("--store-port P is required (rank 0 serves the rendezvous store there)");
  return a;
}

}  // namespace spstudio::workers
