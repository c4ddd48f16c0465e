// SPDX-License-Identifier: Apache-2.0
// Tensor element types to NCCL data types, NCCL result codes to text, and all-to-all row offsets.
#include "sp/cuda/nccl_types.h"

#include <stdexcept>

namespace spstudio::sp::cuda {
namespace {

/// The enumerator's own name: what a user greps NCCL's documentation and issues for.
const char* result_name(ncclResult_t result) {
  switch (result) {
    case ncclSuccess:
      return "ncclSuccess";
    case ncclUnhandledCudaError:
      return "ncclUnhandledCudaError";
    case ncclSystemError:
      return "ncclSystemError";
    case ncclInternalError:
      return "ncclInternalError";
    case ncclInvalidArgument:
      return "ncclInvalidArgument";
    case ncclInvalidUsage:
      return "ncclInvalidUsage";
    case ncclRemoteError:
      return "ncclRemoteError";
    case ncclInProgress:
      return "ncclInProgress";
    default:
      return nullptr;  // a code newer than this header
  }
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

}  // namespace

ncclDataType_t nccl_type(at::ScalarType type, const std::string& what) {
  switch (type) {
    case at::kFloat:
      return ncclFloat32;
    case at::kDouble:
      return ncclFloat64;
    case at::kHalf:
      return ncclFloat16;
    case at::kBFloat16:
      return ncclBfloat16;
    case at::kInt:
      return ncclInt32;
    case at::kLong:
      return ncclInt64;
    case at::kChar:
      return ncclInt8;
    case at::kByte:
      return ncclUint8;
    // One byte per element, and these operations only move bytes (no reduction on bools).
    case at::kBool:
      return ncclUint8;
    default:
      throw std::invalid_argument(what + ": NCCL cannot carry tensors of type " + c10::toString(type) +
                                  " (it carries Float, Double, Half, BFloat16, Int, Long, Char, Byte and Bool)");
  }
}

std::string nccl_result_text(ncclResult_t result) {
  const char* name = result_name(result);
  std::string text = name ? name : "ncclResult " + std::to_string(static_cast<int>(result));
  text += ": ";
  text += ncclGetErrorString(result);
  // NCCL keeps the WARN line of its latest failure (which argument, which peer, which syscall); it
  // can be stale when this result did not come with a warning, so it is labelled as the last one.
  const char* last = ncclGetLastError(nullptr);  // the argument is unused by NCCL
  const std::string last_text = last ? trimmed(last) : std::string();
  if (!last_text.empty()) text += " (last NCCL error: " + last_text + ")";
  return text;
}

std::vector<std::int64_t> split_offsets(const std::vector<std::int64_t>& splits, std::int64_t rows, int size) {
  if (size < 1) throw std::invalid_argument("split_offsets: a group needs at least one rank");
  std::vector<std::int64_t> offsets{0};
  offsets.reserve(static_cast<std::size_t>(size) + 1);
  if (splits.empty()) {
    if (rows < 0 || rows % size != 0)
      throw std::invalid_argument("split_offsets: " + std::to_string(rows) + " rows do not split into " +
                                  std::to_string(size) + " equal blocks");
    for (int j = 1; j <= size; ++j)
      offsets.push_back(rows / size * j);
    return offsets;
  }
  if (static_cast<int>(splits.size()) != size)
    throw std::invalid_argument("split_offsets: " + std::to_string(splits.size()) + " splits for " +
                                std::to_string(size) + " ranks");
  for (const std::int64_t split : splits) {
    if (split < 0) throw std::invalid_argument("split_offsets: negative split " + std::to_string(split));
    offsets.push_back(offsets.back() + split);
  }
  return offsets;
}

}  // namespace spstudio::sp::cuda
