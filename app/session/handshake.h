// SPDX-License-Identifier: Apache-2.0
// The supervisor's side of the handshake (DESIGN.md "Wire protocol"): the session token, and the
// checks that decide Welcome or Reject for a Hello. The reasons are sentences: the worker prints
// them, and a user reading them should know what was wrong.
#pragma once

#include <QString>
#include <optional>
#include <string>
#include <vector>

#include "common/wire/codec.h"
#include "common/wire/messages.h"

namespace spstudio::app {

/// A random 128-bit session token as 32 hex digits (from the system's CSPRNG).
QString make_session_token();

/// Compares two tokens in time that depends only on their lengths, not on where they differ.
bool tokens_equal(const std::string& a, const std::string& b);

/// The reason to reject `hello`, or nullopt to welcome it. `connected[r]` says whether rank r has
/// already completed its handshake in this pool.
std::optional<std::string> check_hello(const wire::Hello& hello, const std::string& token, int world,
                                       const std::vector<bool>& connected);

/// The rank a worker → supervisor message names; nullopt for messages only the supervisor sends
/// (Welcome, Reject, Job, ForwardJob, Cancel) and for Hello, which only opens a connection.
std::optional<std::uint32_t> sender_rank(const wire::Message& message);

/// The Reject reason for a stream that broke the protocol before its Hello was accepted.
std::string describe_handshake_error(const wire::ProtocolError& error);

}  // namespace spstudio::app
