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

// Gloo moves host memory only. CUDA tensors (several ranks sharing one GPU, where NCCL cannot run)
// are staged: copied to the host before a collective and the result copied back to the device.
// The copy to the host synchronises with the compute stream, so the staged data is complete.
at::Tensor to_host(const at::Tensor& t) {
  return t.is_cuda() ? t.to(at::kCPU).contiguous() : t.contiguous();  // .to() keeps strides
}

at::Tensor on_device_of(const at::Tensor& host, const at::Tensor& like) {
  return like.is_cuda() ? host.to(like.device()) : host;
}

// Gloo in LibTorch 1.13 has no bfloat16 (nor int16) collectives ("Invalid scalar type"). The
// collectives here only copy bits, never compute, so bfloat16 travels viewed as float16 (same size)
// and is viewed back on arrival.
at::Tensor as_wire(const at::Tensor& host) {
  return host.scalar_type() == at::kBFloat16 ? host.view(at::kHalf) : host;
}

at::Tensor from_wire(const at::Tensor& wire, at::ScalarType dtype) {
  return wire.scalar_type() == dtype ? wire : wire.view(dtype);
}

class GlooTransfers final : public PendingTransfers {
 public:
  GlooTransfers(std::string group, std::chrono::milliseconds timeout) : group_(std::move(group)), timeout_(timeout) {}
  /// `staged`: the host buffer gloo fills, and `device_buffer` the CUDA receive buffer to copy it
  /// into at wait() (both undefined for host tensors and sends).
  void add(c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> keep_alive, at::Tensor device_buffer = {}) {
    works_.push_back(std::move(work));
    buffers_.push_back(std::move(keep_alive));
    device_buffers_.push_back(std::move(device_buffer));
  }
  void wait() override {
    guarded(group_, "point-to-point transfer", [&] {
      for (auto& w : works_)
        w->wait(timeout_);
    });
    for (std::size_t i = 0; i < works_.size(); ++i)
      if (device_buffers_[i].defined()) device_buffers_[i].copy_(buffers_[i][0]);
    works_.clear();
    buffers_.clear();
    device_buffers_.clear();
  }

 private:
  std::string group_;
  std::chrono::milliseconds timeout_;
  std::vector<c10::intrusive_ptr<c10d::Work>> works_;
  std::vector<std::vector<at::Tensor>> buffers_;  // gloo reads/writes them until wait()
  std::vector<at::Tensor> device_buffers_;
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
  at::Tensor in = as_wire(to_host(input));
  at::Tensor out = all_to_all_output(in, output_splits);
  std::vector<std::int64_t> out_splits = output_splits, in_splits = input_splits;
  guarded(name_, "all_to_all", [&] { group_->alltoall_base(out, in, out_splits, in_splits)->wait(timeout_); });
  return on_device_of(from_wire(out, input.scalar_type()), input);
}

std::vector<at::Tensor> GlooCommunicator::all_gather(const at::Tensor& tensor) {
  std::vector<at::Tensor> inputs{as_wire(to_host(tensor))};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int i = 0; i < size_; ++i)
    outputs[0].push_back(at::empty_like(inputs[0]));
  guarded(name_, "all_gather", [&] { group_->allgather(outputs, inputs)->wait(timeout_); });
  for (at::Tensor& t : outputs[0])
    t = on_device_of(from_wire(t, tensor.scalar_type()), tensor);
  return outputs[0];
}

void GlooCommunicator::broadcast(at::Tensor& tensor, int root) {
  if (root < 0 || root >= size_)
    throw std::invalid_argument(name_ + ": broadcast root " + std::to_string(root) + " is outside the group");
  std::vector<at::Tensor> tensors{as_wire(to_host(tensor))};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  guarded(name_, "broadcast", [&] { group_->broadcast(tensors, options)->wait(timeout_); });
  // A contiguous host tensor was broadcast in place (possibly through an int16 view of it).
  const at::Tensor received = from_wire(tensors[0], tensor.scalar_type());
  if (received.data_ptr() != tensor.data_ptr()) tensor.copy_(received);
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
    const bool send = op.kind == P2POp::Kind::Send;
    const bool staged_recv = !send && op.tensor.is_cuda();
    std::vector<at::Tensor> tensors{send          ? to_host(op.tensor)
                                    : staged_recv ? at::empty(op.tensor.sizes(), op.tensor.options().device(at::kCPU))
                                                  : op.tensor};
    auto work = guarded(name_, send ? "send" : "recv", [&] {
      return send ? group_->send(tensors, op.peer, tag) : group_->recv(tensors, op.peer, tag);
    });
    pending->add(std::move(work), std::move(tensors), staged_recv ? op.tensor : at::Tensor());
  }
  return pending;
}

}  // namespace spstudio::sp
