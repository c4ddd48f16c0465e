// SPDX-License-Identifier: Apache-2.0
#include "agreement.h"

#include <algorithm>

namespace spstudio::workers {
namespace {

/// Every rank's value (one small CPU tensor through the group's all-gather; Gloo takes CPU tensors).
std::vector<std::int64_t> gather_values(sp::Communicator& group, std::int64_t mine) {
  const std::vector<at::Tensor> all = group.all_gather(at::full({1}, mine, at::kLong));
  std::vector<std::int64_t> values;
  for (const at::Tensor& t : all)
    values.push_back(t.item<std::int64_t>());
  return values;
}

}  // namespace

CancelLevel agree_cancel(sp::Communicator& group, CancelLevel mine) {
  const std::vector<std::int64_t> all = gather_values(group, static_cast<std::int64_t>(mine));
  return static_cast<CancelLevel>(*std::max_element(all.begin(), all.end()));
}

bool agree_all_ok(sp::Communicator& group, bool mine) {
  const std::vector<std::int64_t> all = gather_values(group, mine ? 1 : 0);
  return *std::min_element(all.begin(), all.end()) == 1;
}

}  // namespace spstudio::workers
