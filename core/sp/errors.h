// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>

namespace spstudio::sp {

/// A tensor cannot be sharded or gathered as the plan asks (divisibility, padding under ring,
/// conflicting lengths in a shard group, a gather with no padding record, ...). The message says
/// which plan key, parameter and sizes, and what would work.
class SequenceParallelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A collective or transfer failed: timeout, dead peer, broken connection. The message names the
/// group and the operation.
class CommunicationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spstudio::sp
