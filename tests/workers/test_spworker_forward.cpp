// SPDX-License-Identifier: Apache-2.0
// ForwardJob (spstudio-cli forward) on a real worker (label multiprocess): every component of
// builtin:tiny-flux, the same from a diffusers pipeline folder and from single-component folders
// (which must give the same numbers: the folder holds the builtin's weights), and a folder whose
// class is not the component asked for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/safetensors_write.h"
#include "stream_checks.h"
#include "support/error_text.h"
#include "worker_driver.h"

namespace spstudio::testing {
namespace {

struct ForwardCase {
  std::string model, component, inputs;
  std::map<std::string, std::vector<std::int64_t>> outputs;  ///< name → shape
};

TEST(SpWorkerForward, ComponentsFromBuiltinPipelineAndComponentFolders) {
  WorkerDriver driver;
  const std::string folder = driver.folder() + "/tiny-flux";
  ASSERT_EQ(std::system((std::string(SPSTUDIO_WRITE_TINY_FLUX_BIN) + " " + folder + " > /dev/null").c_str()), 0);
  const std::string z = driver.folder() + "/z.safetensors", ids = driver.folder() + "/ids.safetensors";
  write_safetensors(z, {{"z", f32_tensor({1, 16, 8, 8}, seeded_floats(16 * 8 * 8, 3))}});
  std::vector<std::int64_t> token_ids(16);
  for (std::size_t i = 0; i < token_ids.size(); ++i)
    token_ids[i] = 2 + static_cast<std::int64_t>(i * 7 % 80);
  write_safetensors(ids, {{"input_ids", i64_tensor({1, 16}, token_ids)}});

  driver.spawn_pool(1);
  std::vector<WorkerLink> links;
  driver.start_pool(1, links);
  const std::vector<std::int64_t> image{1, 3, 64, 64}, text_hidden{1, 16, 32};
  const std::vector<ForwardCase> cases = {
      {"builtin:tiny-flux", "vae_decoder", z, {{"sample", image}}},
      {folder + "/vae", "vae_decoder", z, {{"sample", image}}},
      {"builtin:tiny-flux", "text_encoder", ids, {{"last_hidden_state", text_hidden}, {"pooler_output", {1, 32}}}},
      {folder, "text_encoder", ids, {{"last_hidden_state", text_hidden}, {"pooler_output", {1, 32}}}},
      {"builtin:tiny-flux", "text_encoder_2", ids, {{"last_hidden_state", text_hidden}}},
      {folder + "/text_encoder_2", "text_encoder_2", ids, {{"last_hidden_state", text_hidden}}},  // sharded
  };
  std::map<std::string, std::map<std::string, FloatTensor>> builtin;  // component → outputs
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const ForwardCase& c = cases[i];
    SCOPED_TRACE(c.component + " from " + c.model);
    wire::ForwardJob job;
    job.job_id = 100 + i;
    job.model = c.model;
    job.component = c.component;
    job.inputs_path = c.inputs;
    job.outputs_path = driver.folder() + "/out" + std::to_string(i) + ".safetensors";
    driver.send(links[0], job);
    std::vector<Received> received;
    driver.collect(links, received, [](const auto& r) { return !messages_of<wire::JobDone>(r).empty(); });
    const wire::JobDone done = messages_of<wire::JobDone>(received).at(0);
    ASSERT_EQ(done.status, wire::JobStatus::Ok) << done.summary_json;
    const auto outputs = read_f32_safetensors(job.outputs_path);
    ASSERT_EQ(outputs.size(), c.outputs.size());
    for (const auto& [name, shape] : c.outputs) {
      EXPECT_EQ(outputs.at(name).shape, shape) << name;
      EXPECT_EQ(nlohmann::json::parse(done.summary_json).at("outputs").at(name), shape) << name;
      EXPECT_GT(max_abs(outputs.at(name).values), 0.0) << name;
    }
    if (c.model == "builtin:tiny-flux") {
      builtin[c.component] = outputs;
    } else {  // written from the builtin's weights: the same numbers
      for (const auto& [name, tensor] : outputs)
        EXPECT_EQ(max_abs_difference(tensor.values, builtin.at(c.component).at(name).values), 0.0) << name;
    }
  }

  wire::ForwardJob wrong;
  wrong.job_id = 200;
  wrong.model = folder + "/transformer";
  wrong.component = "vae_decoder";
  wrong.inputs_path = z;
  wrong.outputs_path = driver.folder() + "/never.safetensors";
  driver.send(links[0], wrong);
  std::vector<Received> received;
  driver.collect(links, received, [](const auto& r) { return !messages_of<wire::JobDone>(r).empty(); });
  EXPECT_EQ(messages_of<wire::JobDone>(received).at(0).status, wire::JobStatus::Failed);
  const wire::Error error = messages_of<wire::Error>(received).at(0);
  EXPECT_EQ(error.code, wire::ExitCode::ModelLoad);
  EXPECT_CONTAINS(error.message,
                  "declares the class FluxTransformer2DModel, but the vae_decoder component is a "
                  "AutoencoderKL");
  driver.send(links[0], wire::Bye{0, "test done"});
}

}  // namespace
}  // namespace spstudio::testing
