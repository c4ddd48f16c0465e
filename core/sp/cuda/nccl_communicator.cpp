// SPDX-License-Identifier: Apache-2.0
// NcclCommunicator: NCCL operations on a dedicated communication stream, ordered against the compute
// stream with events, with a host-side deadline on every wait that depends on a peer (see the header
// for the stream and failure model).
#include "sp/cuda/nccl_communicator.h"

#include <c10/util/Exception.h>
#include <nccl.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/current_stream.h"
#include "sp/cuda/nccl_types.h"
#include "sp/errors.h"

// Non-blocking communicators (ncclConfig_t::blocking, ncclInProgress) and ncclGetLastError.
static_assert(NCCL_VERSION_CODE >= NCCL_VERSION(2, 14, 0), "the NCCL communicator needs NCCL 2.14 or newer");

namespace spstudio::sp::cuda {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUniqueIdKey = "nccl_unique_id";

/// Waits between polls: an enqueue or a short transfer finishes within microseconds, so spin first;
/// a peer that is still starting or a long step takes seconds, so then sleep and leave the core.
class Backoff {
 public:
  void pause() {
    ++rounds_;
    if (rounds_ < 64)
      std::this_thread::yield();
    else if (rounds_ < 1024)
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  int rounds_ = 0;
};

/// A timing-free event (cheapest to record and wait for), destroyed with its owner.
class Event {
 public:
  explicit Event(const std::string& who) {
    check_cuda(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), who + ": cudaEventCreateWithFlags");
  }
  ~Event() {
    // A recorded event may be destroyed before it completes: CUDA releases it when it does.
    if (event_) (void)cudaEventDestroy(event_);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

std::string millis(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

bool failed(ncclResult_t result) {
  return result != ncclSuccess && result != ncclInProgress;
}

std::int64_t row_elements(const at::Tensor& t) {
  std::int64_t n = 1;
  for (std::int64_t d = 1; d < t.dim(); ++d)
    n *= t.size(d);
  return n;
}

/// Rank 0 creates the id and publishes it; the others block in the store (up to its timeout).
ncclUniqueId exchange_unique_id(c10d::Store& store, int rank, const std::string& name) {
  ncclUniqueId id;
  std::memset(&id, 0, sizeof id);
  const std::string where = name + " at rank " + std::to_string(rank);
  if (rank == 0) {
    const ncclResult_t result = ncclGetUniqueId(&id);
    if (result != ncclSuccess)
      throw CommunicationError(where + ": ncclGetUniqueId failed: " + nccl_result_text(result));
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(id.internal);
    try {
      store.set(kUniqueIdKey, std::vector<std::uint8_t>(bytes, bytes + NCCL_UNIQUE_ID_BYTES));
    } catch (const c10::Error& e) {
      throw CommunicationError(where +
                               ": publishing the NCCL unique id in the store failed: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      throw CommunicationError(where + ": publishing the NCCL unique id in the store failed: " + e.what());
    }
    return id;
  }
  std::vector<std::uint8_t> bytes;
  const std::string hint = " (did rank 0 start, and does every rank use the same store prefix?)";
  try {
    bytes = store.get(kUniqueIdKey);
  } catch (const c10::Error& e) {
    throw CommunicationError(where + ": reading the NCCL unique id from the store failed" + hint + ": " +
                             e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw CommunicationError(where + ": reading the NCCL unique id from the store failed" + hint + ": " + e.what());
  }
  if (bytes.size() != NCCL_UNIQUE_ID_BYTES)
    throw CommunicationError(where + ": the store holds a " + std::to_string(bytes.size()) +
                             "-byte NCCL unique id, expected " + std::to_string(NCCL_UNIQUE_ID_BYTES) +
                             " (another program's key, or a different NCCL version at rank 0?)");
  std::memcpy(id.internal, bytes.data(), NCCL_UNIQUE_ID_BYTES);
  return id;
}

/// The transfers of one batch_isend_irecv. Holds the tensors until compute has been made to wait
/// for the transfers: only then may the caching allocator hand their memory to compute again.
class NcclTransfers final : public PendingTransfers {
 public:
  NcclTransfers(std::string name, int device, std::shared_ptr<const std::atomic<bool>> aborted,
                std::unique_ptr<Event> done, std::vector<at::Tensor> tensors)
      : name_(std::move(name)),
        device_(device),
        aborted_(std::move(aborted)),
        done_(std::move(done)),
        tensors_(std::move(tensors)) {}

  ~NcclTransfers() override {
    if (waited_) return;
    try {
      make_compute_wait();
    } catch (...) {
      // Could not order compute after the transfers: block until they are over instead, so the
      // buffers are not reused while NCCL may still write them (an aborted communicator's kernels
      // quit, so this returns).
      (void)cudaEventSynchronize(done_->get());
    }
  }

  void wait() override {
    if (!waited_) make_compute_wait();
    if (aborted_->load(std::memory_order_acquire))
      throw CommunicationError(name_ +
                               ": point-to-point transfers did not complete: the NCCL communicator was "
                               "aborted (an earlier failure or abort() stopped it)");
  }

 private:
  void make_compute_wait() {
    DeviceGuard guard(device_, name_);
    check_cuda(cudaStreamWaitEvent(current_stream(device_), done_->get(), 0),
               name_ + ": cudaStreamWaitEvent (compute waits for point-to-point transfers)");
    waited_ = true;
    tensors_.clear();
  }

  std::string name_;
  int device_;
  std::shared_ptr<const std::atomic<bool>> aborted_;
  std::unique_ptr<Event> done_;
  std::vector<at::Tensor> tensors_;
  bool waited_ = false;
};

}  // namespace

struct NcclCommunicator::State {
  int rank = 0;
  int size = 0;
  NcclOptions options;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;         // the communication stream
  std::unique_ptr<Event> compute_ready;  // recorded on compute, waited for by the comm stream
  std::unique_ptr<Event> comm_done;      // recorded on the comm stream, waited for by compute
  std::unique_ptr<Event> host_comm;      // synchronize(): the comm stream's last work
  std::unique_ptr<Event> host_compute;   // synchronize(): the compute stream's last work
  at::Tensor barrier_word;               // one float all-reduced by barrier()
  // Shared with pending transfers, which may outlive the communicator.
  std::shared_ptr<std::atomic<bool>> aborted = std::make_shared<std::atomic<bool>>(false);
  std::mutex abort_mutex;

  ~State() {
    // A communicator is still here only when construction failed part way (the communicator's
    // destructor destroys or aborts it first, and a clean destroy must not read as an abort).
    if (comm) abort_now();
    barrier_word.reset();
    compute_ready.reset();
    comm_done.reset();
    host_comm.reset();
    host_compute.reset();
    if (stream) {
      // Queued work still runs; CUDA frees the stream once it has. Nothing to do about an error here.
      (void)cudaStreamDestroy(stream);
    }
  }

  const std::string& name() const { return options.name; }

  void require_usable(const std::string& op) const {
    if (aborted->load(std::memory_order_acquire))
      throw CommunicationError(name() + ": " + op +
                               " on an aborted NCCL communicator (an earlier failure or abort() "
                               "stopped it; create a new one)");
  }

  void check_tensor(const at::Tensor& t, const std::string& op) const {
    if (!t.defined()) throw std::invalid_argument(name() + ": " + op + " of an undefined tensor");
    if (!t.is_cuda() || t.device().index() != options.device)
      throw std::invalid_argument(name() + ": " + op + " needs CUDA tensors on device cuda:" +
                                  std::to_string(options.device) + ", got one on " + t.device().str());
  }

  ncclDataType_t type_of(const at::Tensor& t, const std::string& op) const {
    return nccl_type(t.scalar_type(), name() + ": " + op);
  }

  /// Aborts once (later calls do nothing). NCCL's abort stops the communicator's kernels, so
  /// queued work behind them drains; it never throws.
  void abort_now() noexcept {
    std::lock_guard<std::mutex> lock(abort_mutex);
    if (aborted->exchange(true, std::memory_order_acq_rel)) return;
    if (!comm) return;
    int previous = -1;
    const bool switch_device = cudaGetDevice(&previous) == cudaSuccess && previous != options.device;
    if (switch_device) (void)cudaSetDevice(options.device);
    (void)ncclCommAbort(comm);  // frees the communicator even when it reports an error
    comm = nullptr;
    if (switch_device) (void)cudaSetDevice(previous);
  }

  [[noreturn]] void fail(const std::string& op, ncclResult_t result) {
    const std::string text = nccl_result_text(result);  // before the abort adds warnings of its own
    abort_now();
    throw CommunicationError(name() + ": " + op + " failed: " + text + "; the NCCL communicator was aborted");
  }

  [[noreturn]] void timed_out(const std::string& message) {
    abort_now();
    throw CommunicationError(name() + ": " + message);
  }

  /// Throws (after aborting) when NCCL reports an asynchronous failure: a peer exited, the network
  /// broke, or a kernel saw an error. Returns the state (ncclSuccess or ncclInProgress) otherwise.
  ncclResult_t async_state(const std::string& op) {
    ncclResult_t state = ncclSuccess;
    const ncclResult_t queried = ncclCommGetAsyncError(comm, &state);
    if (queried != ncclSuccess) fail(op + " (ncclCommGetAsyncError)", queried);
    if (failed(state)) fail(op, state);
    return state;
  }

  /// In non-blocking mode a call may return ncclInProgress before its work is enqueued (connection
  /// setup with a peer, for one); no other NCCL call may be made on the communicator until the
  /// state leaves ncclInProgress.
  void check(ncclResult_t result, const std::string& op) {
    if (result == ncclSuccess) return;
    if (failed(result)) fail(op, result);
    const Clock::time_point deadline = Clock::now() + options.timeout;
    Backoff backoff;
    while (async_state(op) == ncclInProgress) {
      if (Clock::now() > deadline)
        timed_out(op + " was not enqueued within " + millis(options.timeout) +
                  "; a peer may have died or not reached the same operation; the NCCL communicator was aborted");
      backoff.pause();
    }
  }

  /// Runs `issue` (NCCL calls; returns the first failure) inside one NCCL group. The group is
  /// closed even when an issue fails, since an open group would swallow this thread's later calls.
  template <class Issue>
  void grouped(const std::string& op, Issue&& issue) {
    check(ncclGroupStart(), "ncclGroupStart for " + op);
    const ncclResult_t issued = issue();
    const ncclResult_t ended = ncclGroupEnd();
    if (failed(issued)) fail(op, issued);
    check(ended, "ncclGroupEnd for " + op);
  }

  /// Orders the comm stream after everything enqueued on compute so far. Returns the compute
  /// stream, which end() makes wait for the operation.
  cudaStream_t begin(const std::string& op) {
    async_state(op);  // a peer that failed since the last call: report it now, not at the next wait
    const cudaStream_t compute = current_stream(options.device);
    check_cuda(cudaEventRecord(compute_ready->get(), compute), name() + ": cudaEventRecord before " + op);
    check_cuda(cudaStreamWaitEvent(stream, compute_ready->get(), 0), name() + ": cudaStreamWaitEvent before " + op);
    return compute;
  }

  void end(const std::string& op, cudaStream_t compute) {
    check_cuda(cudaEventRecord(comm_done->get(), stream), name() + ": cudaEventRecord after " + op);
    check_cuda(cudaStreamWaitEvent(compute, comm_done->get(), 0), name() + ": cudaStreamWaitEvent after " + op);
  }

  /// Blocks the host until the comm and compute streams have run what is enqueued now, polling for
  /// peer failures; aborts and throws when the deadline passes. The caller holds a DeviceGuard.
  void wait_host(const std::string& op) {
    check_cuda(cudaEventRecord(host_comm->get(), stream), name() + ": cudaEventRecord for " + op);
    check_cuda(cudaEventRecord(host_compute->get(), current_stream(options.device)),
               name() + ": cudaEventRecord for " + op);
    const Clock::time_point deadline = Clock::now() + options.timeout;
    Backoff backoff;
    bool comm_finished = false, compute_finished = false;
    for (;;) {
      if (!comm_finished) comm_finished = finished(host_comm->get(), op);
      if (!compute_finished) compute_finished = finished(host_compute->get(), op);
      async_state(op);  // a dead peer shows up here long before the deadline
      if (comm_finished && compute_finished) return;
      if (Clock::now() > deadline)
        timed_out(op + " did not finish within " + millis(options.timeout) +
                  "; a peer may have died or stopped; the NCCL communicator was aborted");
      backoff.pause();
    }
  }

  bool finished(cudaEvent_t event, const std::string& op) const {
    const cudaError_t state = cudaEventQuery(event);
    if (state == cudaErrorNotReady) return false;  // not an error: the work is still running
    check_cuda(state, name() + ": cudaEventQuery while waiting for " + op);
    return true;
  }

  void create_stream_and_events() {
    int least = 0, greatest = 0;
    check_cuda(cudaDeviceGetStreamPriorityRange(&least, &greatest),
               name() + ": cudaDeviceGetStreamPriorityRange for the communication stream");
    // Non-blocking: no implicit ordering with the legacy default stream (events order it); highest
    // priority: a transfer's blocks get scheduled ahead of the compute kernels it overlaps with.
    check_cuda(cudaStreamCreateWithPriority(&stream, cudaStreamNonBlocking, greatest),
               name() + ": cudaStreamCreateWithPriority for the communication stream");
    compute_ready = std::make_unique<Event>(name());
    comm_done = std::make_unique<Event>(name());
    host_comm = std::make_unique<Event>(name());
    host_compute = std::make_unique<Event>(name());
  }

  void init_comm(const ncclUniqueId& id) {
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;  // every wait below is ours, with a deadline
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 27, 3)
    config.commName = options.name.c_str();  // in NCCL's logs; it keeps the pointer, options outlives comm
#endif
    const std::string op = "NCCL initialisation (rank " + std::to_string(rank) + " of " + std::to_string(size) + ")";
    const ncclResult_t started = ncclCommInitRankConfig(&comm, size, id, rank, &config);
    if (failed(started)) {
      const std::string text = nccl_result_text(started);
      abort_now();  // NCCL may have handed out a communicator before failing
      throw CommunicationError(name() + ": " + op + " failed: " + text);
    }
    const Clock::time_point deadline = Clock::now() + options.timeout;
    Backoff backoff;
    while (async_state(op) == ncclInProgress) {
      if (Clock::now() > deadline)
        timed_out("NCCL initialisation timed out after " + millis(options.timeout) +
                  "; did every rank start? Every rank of the group must create its communicator within the "
                  "timeout (NCCL_DEBUG=INFO shows where it waits); the NCCL communicator was aborted");
      backoff.pause();
    }
  }

  /// The destructor's clean shutdown: finish the queued work, finalize (NCCL flushes and releases
  /// its connections; non-blocking, so under our deadline), destroy. Any failure aborts instead.
  void shut_down() noexcept {
    if (aborted->load(std::memory_order_acquire) || !comm) return;
    try {
      DeviceGuard guard(options.device, name());
      wait_host("shutdown");
      check(ncclCommFinalize(comm), "ncclCommFinalize");
      std::lock_guard<std::mutex> lock(abort_mutex);
      // After a completed finalize, destroy only frees local resources. Its result is not actionable:
      // the handle is gone either way.
      (void)ncclCommDestroy(comm);
      comm = nullptr;
    } catch (...) {
      abort_now();
    }
  }
};

NcclCommunicator::NcclCommunicator(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size,
                                   NcclOptions options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.rank = rank;
  s.size = size;
  s.options = std::move(options);
  if (size < 1 || rank < 0 || rank >= size)
    throw std::invalid_argument(s.name() + ": rank " + std::to_string(rank) + " is outside a group of " +
                                std::to_string(size));
  if (!store) throw std::invalid_argument(s.name() + ": NCCL rendezvous needs a c10d store");
  if (s.options.timeout.count() <= 0) throw std::invalid_argument(s.name() + ": the NCCL timeout must be positive");
  // First, before NCCL or the store: without the device nothing below can work, and the other
  // ranks should not be sent a unique id by a rank that cannot join.
  require_cuda_device(s.options.device, s.name() + " at rank " + std::to_string(rank));
  DeviceGuard guard(s.options.device, s.name());
  const ncclUniqueId id = exchange_unique_id(*store, rank, s.name());
  s.create_stream_and_events();
  s.init_comm(id);
}

NcclCommunicator::~NcclCommunicator() {
  if (state_) state_->shut_down();
}

int NcclCommunicator::rank() const {
  return state_->rank;
}

int NcclCommunicator::size() const {
  return state_->size;
}

at::Tensor NcclCommunicator::all_to_all(const at::Tensor& input, const std::vector<std::int64_t>& output_splits,
                                        const std::vector<std::int64_t>& input_splits) {
  State& s = *state_;
  const std::string op = "all_to_all";
  s.require_usable(op);
  check_all_to_all_splits(*this, input, output_splits, input_splits);
  s.check_tensor(input, op);
  const ncclDataType_t type = s.type_of(input, op);
  DeviceGuard guard(s.options.device, s.name());
  const at::Tensor in = input.contiguous();  // a copy (if any) runs on compute, before begin()
  at::Tensor out = all_to_all_output(in, output_splits);
  const std::vector<std::int64_t> send_at = split_offsets(input_splits, in.size(0), s.size);
  const std::vector<std::int64_t> recv_at = split_offsets(output_splits, out.size(0), s.size);
  const std::int64_t row = row_elements(in);
  const auto row_bytes = static_cast<std::int64_t>(in.element_size()) * row;
  const char* send = static_cast<const char*>(in.data_ptr());
  char* recv = static_cast<char*>(out.data_ptr());

  const cudaStream_t compute = s.begin(op);
  s.grouped(op, [&]() -> ncclResult_t {
    for (int peer = 0; peer < s.size; ++peer) {
      // Empty blocks are skipped on both sides: the sender's input split is the receiver's output split.
      const std::int64_t send_rows = send_at[peer + 1] - send_at[peer];
      const std::int64_t recv_rows = recv_at[peer + 1] - recv_at[peer];
      if (send_rows * row > 0) {
        const ncclResult_t r = ncclSend(send + send_at[peer] * row_bytes, static_cast<std::size_t>(send_rows * row),
                                        type, peer, s.comm, s.stream);
        if (failed(r)) return r;
      }
      if (recv_rows * row > 0) {
        const ncclResult_t r = ncclRecv(recv + recv_at[peer] * row_bytes, static_cast<std::size_t>(recv_rows * row),
                                        type, peer, s.comm, s.stream);
        if (failed(r)) return r;
      }
    }
    return ncclSuccess;
  });
  s.end(op, compute);
  return out;
}

std::vector<at::Tensor> NcclCommunicator::all_gather(const at::Tensor& tensor) {
  State& s = *state_;
  const std::string op = "all_gather";
  s.require_usable(op);
  s.check_tensor(tensor, op);
  const ncclDataType_t type = s.type_of(tensor, op);
  DeviceGuard guard(s.options.device, s.name());
  const at::Tensor in = tensor.contiguous();
  std::vector<std::int64_t> sizes = in.sizes().vec();
  sizes.insert(sizes.begin(), s.size);
  at::Tensor gathered = at::empty(sizes, in.options());  // rank i's tensor lands in row i

  const cudaStream_t compute = s.begin(op);
  if (in.numel() > 0)
    s.check(
        ncclAllGather(in.data_ptr(), gathered.data_ptr(), static_cast<std::size_t>(in.numel()), type, s.comm, s.stream),
        op);
  s.end(op, compute);
  return gathered.unbind(0);
}

void NcclCommunicator::broadcast(at::Tensor& tensor, int root) {
  State& s = *state_;
  const std::string op = "broadcast";
  if (root < 0 || root >= s.size)
    throw std::invalid_argument(s.name() + ": broadcast root " + std::to_string(root) + " is outside the group of " +
                                std::to_string(s.size));
  s.require_usable(op);
  s.check_tensor(tensor, op);
  const ncclDataType_t type = s.type_of(tensor, op);
  DeviceGuard guard(s.options.device, s.name());
  at::Tensor buffer = tensor.contiguous();

  const cudaStream_t compute = s.begin(op);
  if (buffer.numel() > 0)
    s.check(ncclBroadcast(buffer.data_ptr(), buffer.data_ptr(), static_cast<std::size_t>(buffer.numel()), type, root,
                          s.comm, s.stream),
            op);
  s.end(op, compute);
  if (!buffer.is_same(tensor)) tensor.copy_(buffer);  // on compute, which now waits for the broadcast
}

void NcclCommunicator::barrier() {
  State& s = *state_;
  const std::string op = "barrier";
  s.require_usable(op);
  DeviceGuard guard(s.options.device, s.name());
  if (!s.barrier_word.defined())
    s.barrier_word = at::zeros(
        {1}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA, static_cast<c10::DeviceIndex>(s.options.device)));
  // An all-reduce completes on a rank only once every rank has contributed: waiting for it on the
  // host is the barrier.
  const cudaStream_t compute = s.begin(op);
  s.check(
      ncclAllReduce(s.barrier_word.data_ptr(), s.barrier_word.data_ptr(), 1, ncclFloat32, ncclSum, s.comm, s.stream),
      op);
  s.end(op, compute);
  s.wait_host(op);
}

std::unique_ptr<PendingTransfers> NcclCommunicator::batch_isend_irecv(std::vector<P2POp> ops) {
  State& s = *state_;
  const std::string op = "batch_isend_irecv";
  s.require_usable(op);
  struct Prepared {
    bool send;
    at::Tensor tensor;
    int peer;
    ncclDataType_t type;
  };
  std::vector<Prepared> prepared;
  prepared.reserve(ops.size());
  // Every check before the first NCCL call: a throw inside the group would leave it half posted.
  for (const P2POp& p : ops) {
    check_peer(*this, p);
    const bool send = p.kind == P2POp::Kind::Send;
    const std::string what = op + (send ? " (send)" : " (recv)");
    s.check_tensor(p.tensor, what);
    prepared.push_back({send, p.tensor, p.peer, s.type_of(p.tensor, what)});
  }
  DeviceGuard guard(s.options.device, s.name());
  for (Prepared& p : prepared)
    if (p.send) p.tensor = p.tensor.contiguous();  // receive buffers are contiguous (check_peer)
  auto done = std::make_unique<Event>(s.name());

  s.begin(op);  // compute waits in PendingTransfers::wait(), not here: the transfers overlap compute
  s.grouped(op, [&]() -> ncclResult_t {
    // Posted in the caller's order: NCCL pairs the transfers between two ranks in posting order.
    for (const Prepared& p : prepared) {
      if (p.tensor.numel() == 0) continue;  // both sides agree on shapes, so both skip
      const auto count = static_cast<std::size_t>(p.tensor.numel());
      const ncclResult_t r = p.send ? ncclSend(p.tensor.data_ptr(), count, p.type, p.peer, s.comm, s.stream)
                                    : ncclRecv(p.tensor.data_ptr(), count, p.type, p.peer, s.comm, s.stream);
      if (failed(r)) return r;
    }
    return ncclSuccess;
  });
  check_cuda(cudaEventRecord(done->get(), s.stream), s.name() + ": cudaEventRecord after " + op);
  std::vector<at::Tensor> tensors;
  tensors.reserve(prepared.size());
  for (Prepared& p : prepared)
    tensors.push_back(std::move(p.tensor));
  return std::make_unique<NcclTransfers>(s.name(), s.options.device, s.aborted, std::move(done), std::move(tensors));
}

void NcclCommunicator::synchronize() {
  State& s = *state_;
  s.require_usable("synchronize");
  DeviceGuard guard(s.options.device, s.name());
  s.wait_host("synchronize");
}

void NcclCommunicator::abort() {
  state_->abort_now();
}

bool NcclCommunicator::aborted() const {
  return state_->aborted->load(std::memory_order_acquire);
}

}  // namespace spstudio::sp::cuda
