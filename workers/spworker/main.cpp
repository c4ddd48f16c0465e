// SPDX-License-Identifier: Apache-2.0
// spworker: one rank of an SP Studio worker pool (workers/SPWORKER.md). Exit codes are
// wire::ExitCode values; every failure also prints one line on stderr.
#include <cstdio>
#include <iostream>

#include "common/wire/codec.h"
#include "describe.h"
#include "worker_args.h"
#include "worker_error.h"
#include "worker_session.h"

using namespace spstudio;
using namespace spstudio::workers;

int main(int argc, char** argv) {
  WorkerArgs args;
  try {
    args = parse_worker_args(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const ArgumentError& e) {
    std::cerr << "spworker: " << e.what() << "\n" << worker_usage();
    return static_cast<int>(wire::ExitCode::BadArguments);
  }
  switch (args.mode) {
    case WorkerMode::Help:
      std::cout << worker_usage();
      return 0;
    case WorkerMode::Version:
      std::cout << "spworker " << worker_version() << " (wire protocol " << wire::kProtocolVersion << ")\n";
      return 0;
    case WorkerMode::Describe:
      try {
        std::cout << describe_model(args.model, args.height, args.width) << "\n";
        return 0;
      } catch (const WorkerError& e) {
        std::cerr << "spworker: " << e.what() << "\n";
        return static_cast<int>(e.code());
      } catch (const std::exception& e) {
        std::cerr << "spworker: describing '" << args.model << "' failed: " << e.what() << "\n";
        return static_cast<int>(wire::ExitCode::Internal);
      }
    case WorkerMode::Serve:
      serve(args);
  }
  return static_cast<int>(wire::ExitCode::Internal);
}
