// SPDX-License-Identifier: Apache-2.0
// Runs one Flux generation in this process and prints where the time went. The headless
// multi-rank CLI (spstudio-cli generate / bench) comes with the workers issue; this is the
// single-process measurement and the quickest way to try a FLUX.1 folder.
//
//   spstudio-flux-generate [--model builtin:tiny-flux|FOLDER] [--prompt TEXT] [--size HxW]
//                          [--steps N] [--seed N] [--guidance G] [--repeats N]
//                          [--latents-out FILE.safetensors] [--image-out FILE.ppm]
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "models/flux/pipeline_folder.h"
#include "models/weights/safetensors_writer.h"

using namespace spstudio::models;

namespace {

void write_ppm(const std::string& path, const at::Tensor& image) {  // uint8 [H, W, 3]
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << image.size(1) << " " << image.size(0) << "\n255\n";
  const at::Tensor c = image.contiguous();
  out.write(reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), c.numel());
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = flux::kTinyFluxModel, latents_out, image_out;
  flux::GenerationRequest request;
  request.prompt = "a photo of a cat sitting on a red chair";
  int repeats = 1;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--model")
        model = next();
      else if (a == "--prompt")
        request.prompt = next();
      else if (a == "--steps")
        request.steps = std::stoll(next());
      else if (a == "--seed")
        request.seed = std::stoull(next());
      else if (a == "--guidance")
        request.guidance_scale = std::stod(next());
      else if (a == "--repeats")
        repeats = std::stoi(next());
      else if (a == "--latents-out")
        latents_out = next();
      else if (a == "--image-out")
        image_out = next();
      else if (a == "--size") {
        const std::string s = next();
        request.height = std::stoll(s.substr(0, s.find('x')));
        request.width = std::stoll(s.substr(s.find('x') + 1));
      } else
        throw std::invalid_argument("unknown argument " + a);
    }
    auto start = std::chrono::steady_clock::now();
    flux::FluxPipeline pipeline = flux::load_flux_pipeline(model);
    const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::cout << "model " << model << " loaded in " << load_ms << " ms; " << request.height << "x" << request.width
              << ", " << request.steps << " steps, " << at::get_num_threads() << " intra-op threads\n";
    std::vector<double> totals;
    flux::GenerationResult result;
    for (int r = 0; r < std::max(1, repeats); ++r) {
      start = std::chrono::steady_clock::now();
      result = pipeline.generate(request);
      totals.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      std::vector<double> steps = result.step_ms;
      std::sort(steps.begin(), steps.end());
      std::cout << "run " << r + 1 << ": total " << totals.back() << " ms (text " << result.encode_ms
                << " ms, step median " << steps[steps.size() / 2] << " ms, vae " << result.decode_ms << " ms)\n";
    }
    std::sort(totals.begin(), totals.end());
    std::cout << "median total " << totals[totals.size() / 2] << " ms over " << totals.size() << " runs\n";
    if (!latents_out.empty()) save_safetensors(latents_out, {{"latents", result.latents}});
    if (!image_out.empty()) write_ppm(image_out, result.image);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "spstudio-flux-generate: " << e.what() << "\n";
    return 1;
  }
}
