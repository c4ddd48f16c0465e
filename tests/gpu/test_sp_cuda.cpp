// SPDX-License-Identifier: Apache-2.0
// Multi-rank sequence parallelism on one GPU: ranks run as threads of this process, every rank on
// CUDA device 0, their groups over Gloo staging CUDA tensors through host memory (NCCL cannot put
// two ranks of a group on one device). Checks the staging itself, then SP_SEMANTICS.md §6's bf16
// contract on whole generations of builtin:tiny-flux: SP over 2 and 4 ranks against the single-rank
// run, image mean |Δ| ≤ 2e-2 and max |Δ| ≤ 2e-1 in [0, 1].
#include <gtest/gtest.h>

#include "models/flux/pipeline_folder.h"
#include "sp/comm/communicator.h"
#include "thread_ranks.h"

namespace spstudio {
namespace {

const at::Device kGpu(at::kCUDA, 0);

at::Tensor arange_rows(std::int64_t rows, std::int64_t cols, double offset) {
  return at::arange(rows * cols, at::kDouble).view({rows, cols}).add(offset).to(at::kFloat);
}

TEST(GlooStaging, CollectivesOnCudaTensorsReturnCudaTensors) {
  testing::run_ranks(ParallelConfig{2, 1}, [](int rank, sp::SpGroups& groups) {
    sp::Communicator& c = *groups.sp;
    ASSERT_EQ(c.backend(), "gloo");
    // all_to_all of 4 rows: rank r sends rows [2j, 2j+2) to rank j.
    const at::Tensor mine = arange_rows(4, 3, 100.0 * rank);
    const at::Tensor exchanged = c.all_to_all(mine.to(kGpu));
    EXPECT_TRUE(exchanged.is_cuda());
    const at::Tensor expected =
        at::cat({arange_rows(4, 3, 0).narrow(0, 2 * rank, 2), arange_rows(4, 3, 100).narrow(0, 2 * rank, 2)});
    EXPECT_TRUE(at::equal(exchanged.cpu(), expected));

    const std::vector<at::Tensor> gathered = c.all_gather(mine.to(kGpu));
    ASSERT_EQ(gathered.size(), 2u);
    for (int r = 0; r < 2; ++r) {
      EXPECT_TRUE(gathered[r].is_cuda());
      EXPECT_TRUE(at::equal(gathered[r].cpu(), arange_rows(4, 3, 100.0 * r)));
    }

    at::Tensor b = mine.to(kGpu);
    c.broadcast(b, 1);
    EXPECT_TRUE(b.is_cuda());
    EXPECT_TRUE(at::equal(b.cpu(), arange_rows(4, 3, 100)));

    // Ring hop: send to the other rank, receive into a CUDA buffer, with two tags.
    const int peer = 1 - rank;
    at::Tensor k_in = at::empty({4, 3}, at::TensorOptions(kGpu).dtype(at::kFloat));
    at::Tensor v_in = at::empty({4, 3}, at::TensorOptions(kGpu).dtype(at::kFloat));
    auto pending =
        c.batch_isend_irecv({sp::P2POp::send(mine.to(kGpu), peer, 0), sp::P2POp::send(mine.to(kGpu).mul(2), peer, 1),
                             sp::P2POp::recv(k_in, peer, 0), sp::P2POp::recv(v_in, peer, 1)});
    pending->wait();
    EXPECT_TRUE(at::equal(k_in.cpu(), arange_rows(4, 3, 100.0 * peer)));
    EXPECT_TRUE(at::equal(v_in.cpu(), arange_rows(4, 3, 100.0 * peer).mul(2)));
  });
}

models::flux::GenerationRequest request() {
  models::flux::GenerationRequest r;
  r.prompt = "a lighthouse on a cliff at dusk";
  r.height = r.width = 128;  // 64 image tokens: divides by 2 and 4
  r.steps = 4;
  r.seed = 11;
  r.max_sequence_length = 16;
  return r;
}

models::flux::PipelineLoadOptions bf16_on_gpu() {
  models::flux::PipelineLoadOptions o;
  o.dtype = at::kBFloat16;
  o.device = kGpu;
  return o;
}

/// The decoded image in [0, 1] as float64.
at::Tensor unit_image(const models::flux::GenerationResult& r) {
  return r.image.to(at::kDouble).div(255.0);
}

class TinyFluxOnOneGpu : public ::testing::TestWithParam<ParallelConfig> {};

TEST_P(TinyFluxOnOneGpu, Bf16GenerationMatchesTheSingleRankRun) {
  const ParallelConfig config = GetParam();
  models::flux::FluxPipeline single = models::flux::make_tiny_flux(3, bf16_on_gpu());
  const at::Tensor reference = unit_image(single.generate(request()));
  ASSERT_EQ(reference.dim(), 3);
  ASSERT_GT(reference.std().item<double>(), 0.01) << "a flat image would hide differences";

  testing::run_ranks(config, [&](int rank, sp::SpGroups& groups) {
    models::flux::FluxPipeline pipeline = models::flux::make_tiny_flux(3, bf16_on_gpu());
    pipeline.apply_sequence_parallel(std::make_shared<sp::SpContext>(groups));
    const at::Tensor image = unit_image(pipeline.generate(request()));
    const at::Tensor diff = (image - reference).abs();
    const double mean = diff.mean().item<double>(), max = diff.max().item<double>();
    std::printf("U%d×R%d rank %d: image mean |Δ| %.3g, max |Δ| %.3g\n", config.ulysses_degree, config.ring_degree, rank,
                mean, max);
    EXPECT_LE(mean, 2e-2);
    EXPECT_LE(max, 2e-1);
  });
}

INSTANTIATE_TEST_SUITE_P(Degrees, TinyFluxOnOneGpu,
                         ::testing::Values(ParallelConfig{2, 1}, ParallelConfig{1, 2}, ParallelConfig{2, 2},
                                           ParallelConfig{4, 1}, ParallelConfig{1, 4}),
                         [](const auto& param_info) {
                           return "U" + std::to_string(param_info.param.ulysses_degree) + "R" +
                                  std::to_string(param_info.param.ring_degree);
                         });

}  // namespace
}  // namespace spstudio
