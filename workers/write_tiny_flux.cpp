// SPDX-License-Identifier: Apache-2.0
// Writes builtin:tiny-flux as a diffusers FluxPipeline folder (configs, safetensors, tokenizer
// files), so the folder loader can be exercised on real files and the result inspected or used
// with other implementations.
//
//   spstudio-write-tiny-flux FOLDER [--seed N]
#include <iostream>
#include <string>

#include "models/flux/pipeline_folder.h"

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--seed")) {
    std::cerr << "usage: spstudio-write-tiny-flux FOLDER [--seed N]\n";
    return 2;
  }
  try {
    const std::uint64_t seed = argc == 4 ? std::stoull(argv[3]) : 0;
    spstudio::models::flux::save_tiny_flux_folder(argv[1], seed);
    std::cout << "wrote builtin:tiny-flux (seed " << seed << ") to " << argv[1] << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "spstudio-write-tiny-flux: " << e.what() << "\n";
    return 1;
  }
}
