// SPDX-License-Identifier: Apache-2.0
#include "sp/comm/gloo_communicator.h"

#include <c10/util/Exception.h>

#include "sp/errors.h"

namespace spstudio::sp {
namespace {

/// Runs a c10d call and turns its failures (timeouts, dead peers) into CommunicationErrors that
/// say which group and which collective.
template <class Fn>
auto guarded(const std::string& group, const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    throw CommunicationError(group + ": " + what + " failed: " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw CommunicationError(group + ": " + what + " failed: " + e.what());
  }
}

class GlooTransfers final : public PendingTransfers {
 public:
  GlooTransfers(std::string group, std::chrono::milliseconds timeout) : group_(std::move(group)), timeout_(timeout) {}
  void add(c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> keep_alive) {
    works_.push_back(std::move(work));
    buffers_.push_back(std::move(keep_alive));
  }
  void wait() override {
    guarded(group_, "point-to-point transfer", [&] {
      for (auto& w : works_)
        w->wait(timeout_);
    });
    works_.clear();
    buffers_.clear();
  }

 private:
  std::string group_;
  std::chrono::milliseconds timeout_;
  std::vector<c10::intrusive_ptr<c10d::Work>> works_;
  std::vector<std::vector<at::Tensor>> buffers_;  // gloo reads/writes them until wait()
};

}  // namespace

GlooCommunicator::GlooCommunicator(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                                   std::chrono::milliseconds timeout, std::string name)
    : rank_(rank), size_(size), timeout_(timeout), name_(std::move(name)) {
  group_ = guarded(name_, "rendezvous", [&] {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, options);
  });
}

at::Tensor GlooCommunicator::all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits,
                                        const std::vector<std::int64_t>& input_splits) {
  check_all_to_all_splits(*this, input, output_splits, input_splits);
  at::Tensor in = input.contiguous();
  at::Tensor out = all_to_all_output(in, output_splits);
  std::vector<std::int64_t> out_splits = output_splits, in_splits = input_splits;
  guarded(name_, "all_to_all", [&] { group_->alltoall_base(out, in, out_splits, in_splits)->wait(timeout_); });
  return out;
}

std::vector<at::Tensor> GlooCommunicator::all_gather(const at::Tensor& tensor) {
  std::vector<at::Tensor> inputs{tensor.contiguous()};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int i = 0; i < size_; ++i)
    outputs[0].push_back(at::empty_like(inputs[0]));
  guarded(name_, "all_gather", [&] { group_->allgather(outputs, inputs)->wait(timeout_); });
  return outputs[0];
}

void GlooCommunicator::broadcast(at::Tensor& tensor, int root) {
  if (root < 0 || root >= size_)
    throw std::invalid_argument(name_ + ": broadcast root " + std::to_string(root) + " is outside the group");
  std::vector<at::Tensor> tensors{tensor.contiguous()};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  guarded(name_, "broadcast", [&] { group_->broadcast(tensors, options)->wait(timeout_); });
  if (!tensor.is_same(tensors[0])) tensor.copy_(tensors[0]);
}

void GlooCommunicator::barrier() {
  guarded(name_, "barrier", [&] { group_->barrier()->wait(timeout_); });
}

std::unique_ptr<PendingTransfers> GlooCommunicator::batch_isend_irecv(std::vector<P2POp> ops) {
  // Every peer numbers its batches the same way, so (batch, op tag) tells transfers apart.
  const std::uint32_t base = (p2p_batches_++ & 0xFFFFFu) << 8;
  auto pending = std::make_unique<GlooTransfers>(name_, timeout_);
  for (P2POp& op : ops) {
    check_peer(*this, op);
    if (op.tag < 0 || op.tag > 0xFF) throw std::invalid_argument(name_ + ": p2p tags must be in 0..255");
    const int tag = static_cast<int>(base | static_cast<std::uint32_t>(op.tag));
    std::vector<at::Tensor> tensors{op.kind == P2POp::Kind::Send ? op.tensor.contiguous() : op.tensor};
    auto work = guarded(name_, op.kind == P2POp::Kind::Send ? "send" : "recv", [&] {
      return op.kind == P2POp::Kind::Send ? group_->send(tensors, op.peer, tag) : group_->recv(tensors, op.peer, tag);
    });
    pending->add(std::move(work), std::move(tensors));
  }
  return pending;
}

}  // namespace spstudio::sp
