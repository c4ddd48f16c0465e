// SPDX-License-Identifier: Apache-2.0
// NcclCommunicator on a real GPU. One GPU allows one rank (NCCL refuses the same device twice in a
// communicator), so these run NCCL at world size 1, where every collective is an exact identity and
// every code path (grouped self send/receive, all-gather, broadcast, all-reduce, events between the
// streams, deadlines, abort) still runs. Expected values are built on the CPU, independently.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <torch/csrc/distributed/c10d/HashStore.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "error_text.h"
#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/current_stream.h"
#include "sp/cuda/nccl_communicator.h"
#include "sp/errors.h"

namespace spstudio::sp::cuda {
namespace {

const at::Device kGpu(at::kCUDA, 0);

std::unique_ptr<NcclCommunicator> single_rank(const std::string& name = "gpu test group {0}") {
  NcclOptions options;
  options.device = 0;
  options.timeout = std::chrono::seconds(60);
  options.name = name;
  return std::make_unique<NcclCommunicator>(c10::make_intrusive<c10d::HashStore>(), 0, 1, options);
}

/// what() of the CommunicationError `fn` throws; another outcome is reported as such.
std::string communication_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const CommunicationError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a CommunicationError) ") + e.what();
  }
  return "(no error)";
}

std::string invalid_argument_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not an invalid_argument) ") + e.what();
  }
  return "(no error)";
}

/// Values 0..n-1 (exact in bf16 for n <= 256) in a CPU tensor of `sizes`.
at::Tensor counting(at::IntArrayRef sizes, at::ScalarType type) {
  std::int64_t n = 1;
  for (const std::int64_t s : sizes)
    n *= s;
  return at::arange(n, at::TensorOptions().dtype(at::kFloat)).view(sizes).to(type);
}

TEST(NcclGpu, AllToAllAtSizeOneIsTheIdentityForEqualAndExplicitSplits) {
  auto comm = single_rank();
  for (const at::ScalarType type : {at::kFloat, at::kBFloat16}) {
    SCOPED_TRACE(c10::toString(type));
    // [6, 4] as the transpose of a [4, 6] block: the communicator must pack it before sending.
    const at::Tensor cpu = counting({4, 6}, type);
    const at::Tensor input = cpu.to(kGpu).t();
    ASSERT_FALSE(input.is_contiguous());
    const at::Tensor expected = cpu.t().contiguous();

    const at::Tensor equal = comm->all_to_all(input);
    EXPECT_TRUE(equal.is_contiguous());
    EXPECT_EQ(equal.scalar_type(), type);
    EXPECT_TRUE(equal.cpu().equal(expected));

    const at::Tensor split = comm->all_to_all(input, {6}, {6});
    EXPECT_TRUE(split.cpu().equal(expected));

    // Rows of more than one dimension: [2, 3, 4] permuted from [3, 4, 2].
    const at::Tensor cpu3 = counting({3, 4, 2}, type);
    const at::Tensor rows3 = comm->all_to_all(cpu3.to(kGpu).permute({2, 0, 1}));
    EXPECT_TRUE(rows3.cpu().equal(cpu3.permute({2, 0, 1}).contiguous()));
  }
  // No rows: nothing travels, and the result is still a [0, 3] tensor.
  const at::Tensor none = comm->all_to_all(at::empty({0, 3}, at::TensorOptions().device(kGpu)), {0}, {0});
  EXPECT_EQ(none.size(0), 0);
  EXPECT_EQ(none.size(1), 3);
}

TEST(NcclGpu, AllGatherAtSizeOneReturnsTheTensor) {
  auto comm = single_rank();
  for (const at::ScalarType type : {at::kFloat, at::kBFloat16}) {
    SCOPED_TRACE(c10::toString(type));
    const at::Tensor cpu = counting({2, 5}, type);
    const std::vector<at::Tensor> all = comm->all_gather(cpu.to(kGpu).t());
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].sizes(), at::IntArrayRef({5, 2}));
    EXPECT_TRUE(all[0].cpu().equal(cpu.t().contiguous()));
  }
}

TEST(NcclGpu, BroadcastFromTheOnlyRankKeepsItsValuesAndRefusesOtherRoots) {
  auto comm = single_rank();
  const at::Tensor cpu = counting({3, 4}, at::kBFloat16);
  at::Tensor tensor = cpu.to(kGpu).t();  // not contiguous: the result is copied back into it
  comm->broadcast(tensor, 0);
  EXPECT_FALSE(tensor.is_contiguous());
  EXPECT_TRUE(tensor.cpu().equal(cpu.t()));
  EXPECT_CONTAINS(invalid_argument_of([&] { comm->broadcast(tensor, 1); }), "broadcast root 1");
}

TEST(NcclGpu, BarrierAndSynchronizeReturn) {
  auto comm = single_rank();
  comm->barrier();
  comm->barrier();
  comm->synchronize();
  EXPECT_FALSE(comm->aborted());
}

TEST(NcclGpu, BatchIsendIrecvToItselfPairsTransfersInPostingOrder) {
  auto comm = single_rank();
  const at::TensorOptions bf16 = at::TensorOptions().dtype(at::kBFloat16).device(kGpu);
  const at::TensorOptions f32 = at::TensorOptions().dtype(at::kFloat).device(kGpu);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    // K and V differ in size and type: a mix-up between the two tags could not go unnoticed.
    const at::Tensor k_cpu = counting({3, 4}, at::kBFloat16) + round;
    const at::Tensor v_cpu = counting({5, 4}, at::kFloat) * -1 - round;
    at::Tensor k_in = at::zeros({4, 3}, bf16), v_in = at::zeros({4, 5}, f32);
    auto pending =
        comm->batch_isend_irecv({P2POp::send(k_cpu.to(kGpu).t(), 0, 0), P2POp::send(v_cpu.to(kGpu).t(), 0, 1),
                                 P2POp::recv(k_in, 0, 0), P2POp::recv(v_in, 0, 1)});
    pending->wait();
    EXPECT_TRUE(k_in.cpu().equal(k_cpu.t().contiguous()));
    EXPECT_TRUE(v_in.cpu().equal(v_cpu.t().contiguous()));
  }
  // Dropped without wait(): compute is still ordered after it, and the communicator stays usable.
  { auto dropped = comm->batch_isend_irecv({P2POp::send(at::ones({8}, f32), 0), P2POp::recv(at::empty({8}, f32), 0)}); }
  comm->synchronize();
  EXPECT_CONTAINS(invalid_argument_of([&] {
                    comm->batch_isend_irecv({P2POp::recv(at::zeros({3, 4}, f32).t(), 0)});
                  }),
                  "contiguous");
  EXPECT_CONTAINS(invalid_argument_of([&] { comm->batch_isend_irecv({P2POp::send(at::zeros({3}, f32), 1)}); }),
                  "outside the group");
}

TEST(NcclGpu, RefusesTensorsItCannotCarry) {
  auto comm = single_rank();
  const std::string cpu = invalid_argument_of([&] { comm->all_to_all(at::zeros({2, 2})); });
  EXPECT_CONTAINS(cpu, "gpu test group {0}: all_to_all needs CUDA tensors on device cuda:0");
  const std::string complex = invalid_argument_of(
      [&] { comm->all_gather(at::zeros({2}, at::TensorOptions().dtype(at::kComplexFloat).device(kGpu))); });
  EXPECT_CONTAINS(complex, "ComplexFloat");
  EXPECT_FALSE(comm->aborted());  // argument errors leave the communicator usable
  comm->barrier();
}

TEST(NcclGpu, AbortMakesEveryLaterCallThrow) {
  auto comm = single_rank("abort test group {0}");
  const at::TensorOptions f32 = at::TensorOptions().dtype(at::kFloat).device(kGpu);
  auto in_flight = comm->batch_isend_irecv({P2POp::send(at::ones({4}, f32), 0), P2POp::recv(at::empty({4}, f32), 0)});
  comm->abort();
  EXPECT_TRUE(comm->aborted());
  comm->abort();  // idempotent
  at::Tensor t = at::ones({4}, f32);
  const std::vector<std::pair<const char*, std::function<void()>>> calls{
      {"all_to_all", [&] { comm->all_to_all(t); }},
      {"all_gather", [&] { comm->all_gather(t); }},
      {"broadcast", [&] { comm->broadcast(t, 0); }},
      {"barrier", [&] { comm->barrier(); }},
      {"batch_isend_irecv", [&] { comm->batch_isend_irecv({P2POp::send(t, 0)}); }},
      {"synchronize", [&] { comm->synchronize(); }},
  };
  for (const auto& [op, call] : calls) {
    const std::string text = communication_error_of(call);
    EXPECT_CONTAINS(text, std::string("abort test group {0}: ") + op + " on an aborted NCCL communicator");
  }
  EXPECT_CONTAINS(communication_error_of([&] { in_flight->wait(); }), "was aborted");
}

TEST(NcclGpu, CommunicationWaitsForComputeAndComputeForCommunication) {
  auto comm = single_rank();
  constexpr std::int64_t n = 8192;  // each product: 2·n³ ≈ 1.1 TFLOP, tens of ms
  const at::TensorOptions f32 = at::TensorOptions().dtype(at::kFloat).device(kGpu);
  const at::Tensor a = at::ones({n, n}, f32), b = at::ones({n, n}, f32);
  // Warm-up: cuBLAS's handle and workspace, NCCL's connection to itself (set up on first use).
  at::Tensor product = at::mm(a, b);
  comm->all_to_all(product);
  comm->batch_isend_irecv({P2POp::send(product, 0), P2POp::recv(at::empty({n, n}, f32), 0)})->wait();
  comm->synchronize();
  product.fill_(-1.0);

  cudaEvent_t computed = nullptr;
  check_cuda(cudaEventCreateWithFlags(&computed, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  for (int i = 0; i < 8; ++i)
    at::mm_out(product, a, b);  // every entry: a sum of n ones, exact in float
  check_cuda(cudaEventRecord(computed, current_stream(0)), "cudaEventRecord");

  // Both return without waiting: the products are still running when they come back.
  const at::Tensor moved = comm->all_to_all(product);
  at::Tensor received = at::empty({n, n}, f32);
  auto pending = comm->batch_isend_irecv({P2POp::send(product, 0), P2POp::recv(received, 0)});
  const cudaError_t products_then = cudaEventQuery(computed);
  pending->wait();

  // Reading on the compute stream: right only if NCCL waited for the products and compute for NCCL.
  const at::Tensor moved_values = moved.cpu(), received_values = received.cpu();
  check_cuda(cudaEventDestroy(computed), "cudaEventDestroy");
  EXPECT_EQ(products_then, cudaErrorNotReady)
      << "the products finished before the communicator returned, so this run cannot show the ordering";
  EXPECT_TRUE(moved_values.eq(static_cast<float>(n)).all().item<bool>());
  EXPECT_TRUE(received_values.eq(static_cast<float>(n)).all().item<bool>());
}

TEST(NcclGpu, InitialisationTimesOutWhenAnotherRankNeverStarts) {
  // Rank 0 of two, and rank 1 never comes: the deadline aborts the half-built communicator.
  NcclOptions options;
  options.device = 0;
  options.timeout = std::chrono::seconds(2);
  options.name = "lonely group {0,1}";
  const auto start = std::chrono::steady_clock::now();
  const std::string text =
      communication_error_of([&] { NcclCommunicator comm(c10::make_intrusive<c10d::HashStore>(), 0, 2, options); });
  EXPECT_CONTAINS(text, "lonely group {0,1}: NCCL initialisation timed out after 2000 ms; did every rank start?");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  // A communicator built afterwards works.
  auto comm = single_rank();
  comm->barrier();
}

}  // namespace
}  // namespace spstudio::sp::cuda
