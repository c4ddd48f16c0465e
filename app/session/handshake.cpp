// SPDX-License-Identifier: Apache-2.0
#include "app/session/handshake.h"

#include <QRandomGenerator>
#include <type_traits>
#include <variant>

namespace spstudio::app {

QString make_session_token() {
  QString token;
  for (int i = 0; i < 4; ++i) {
    token += QString("%1").arg(QRandomGenerator::system()->generate(), 8, 16, QChar('0'));
  }
  return token;
}

bool tokens_equal(const std::string& a, const std::string& b) {
  // Length is not secret (every token is 32 hex digits); the content is compared without an
  // early exit so the time taken does not reveal how many leading characters were right.
  unsigned difference = a.size() == b.size() ? 0u : 1u;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    difference |= static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

std::optional<std::string> check_hello(const wire::Hello& hello, const std::string& token, int world,
                                       const std::vector<bool>& connected) {
  if (!tokens_equal(hello.token, token)) {
    return std::string(
        "wrong session token: this supervisor did not start the process (the token "
        "comes from SPSTUDIO_SESSION_TOKEN in the worker's environment)");
  }
  if (hello.world != static_cast<std::uint32_t>(world)) {
    return "world size mismatch: the worker says world " + std::to_string(hello.world) + ", this pool has " +
           std::to_string(world) + " workers";
  }
  if (hello.rank >= static_cast<std::uint32_t>(world)) {
    return "rank " + std::to_string(hello.rank) + " is out of range for a pool of " + std::to_string(world) +
           " workers (ranks 0.." + std::to_string(world - 1) + ")";
  }
  if (hello.rank < connected.size() && connected[hello.rank]) {
    return "rank " + std::to_string(hello.rank) + " is already connected: a second worker claimed the same rank";
  }
  return std::nullopt;
}

std::optional<std::uint32_t> sender_rank(const wire::Message& message) {
  return std::visit(
      [](const auto& m) -> std::optional<std::uint32_t> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, wire::Hello> || std::is_same_v<T, wire::Welcome> ||
                      std::is_same_v<T, wire::Reject> || std::is_same_v<T, wire::Job> ||
                      std::is_same_v<T, wire::ForwardJob> || std::is_same_v<T, wire::Cancel>) {
          return std::nullopt;
        } else {
          return m.rank;
        }
      },
      message);
}

std::string describe_handshake_error(const wire::ProtocolError& error) {
  using Kind = wire::ProtocolError::Kind;
  switch (error.kind()) {
    case Kind::VersionMismatch:
      return "protocol version mismatch: the worker speaks version " + std::to_string(error.version()) +
             ", this supervisor speaks version " + std::to_string(wire::kProtocolVersion) +
             " (rebuild spworker and the app from the same source)";
    case Kind::BadMagic:
      return std::string(
                 "not an SP Studio worker: the connection did not start with the \"SPSTUDIO\" "
                 "preamble (") +
             error.what() + ")";
    default:
      return std::string("broken handshake: ") + error.what();
  }
}

}  // namespace spstudio::app
