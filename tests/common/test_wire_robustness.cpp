// SPDX-License-Identifier: Apache-2.0
// Seeded random input (a small, always-on cousin of tests/fuzz): random bytes and random
// mutations of valid streams may only ever produce ProtocolError — never another exception, a
// crash or (under ASan) an out-of-bounds read. What does decode re-encodes to the same bytes.
#include <gtest/gtest.h>

#include <random>

#include "common/wire/codec.h"
#include "wire_samples.h"

namespace spstudio::wire {
namespace {

using testing::sample_messages;

/// Feeds `bytes` in two parts and drains; returns the messages decoded before any ProtocolError.
std::size_t decode_stream(const std::vector<std::uint8_t>& bytes, std::size_t split, bool preamble) {
  FrameDecoder decoder(FrameDecoder::Options{preamble});
  std::size_t count = 0;
  try {
    decoder.feed(bytes.data(), split);
    while (decoder.next())
      ++count;
    decoder.feed(bytes.data() + split, bytes.size() - split);
    while (decoder.next())
      ++count;
    decoder.finish();
  } catch (const ProtocolError&) {
  }
  return count;
}

/// decode_payload either refuses `payload` with a ProtocolError or decodes it canonically.
void expect_refused_or_canonical(std::uint16_t type, const std::vector<std::uint8_t>& payload) {
  std::optional<Message> m;
  try {
    m = decode_payload(type, payload.data(), payload.size());
  } catch (const ProtocolError&) {
    return;
  }
  const std::vector<std::uint8_t> frame = encode_frame(*m);
  EXPECT_EQ(std::vector<std::uint8_t>(frame.begin() + kFrameHeaderBytes, frame.end()), payload)
      << "type " << type << " decoded but does not re-encode to the same bytes";
}

TEST(WireRobustness, RandomBytesOnlyEverGiveProtocolErrors) {
  std::mt19937 rng(20240611);
  std::vector<std::uint16_t> types;
  for (const Message& m : sample_messages())
    types.push_back(static_cast<std::uint16_t>(type_of(m)));
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 200);
    for (std::uint8_t& b : bytes)
      b = static_cast<std::uint8_t>(rng());
    if (round % 3 == 1) {  // a valid preamble first, so the frame decoding behind it is reached
      const std::vector<std::uint8_t> preamble = encode_preamble();
      bytes.insert(bytes.begin(), preamble.begin(), preamble.end());
    }
    if (round % 3 == 2 && bytes.size() >= 6) {  // a plausible header: small length, known type
      bytes[0] = static_cast<std::uint8_t>(bytes.size() - 6);
      bytes[1] = bytes[2] = bytes[3] = 0;
      bytes[4] = static_cast<std::uint8_t>(types[rng() % types.size()]);
      bytes[5] = 0;
    }
    const std::size_t split = bytes.empty() ? 0 : rng() % (bytes.size() + 1);
    decode_stream(bytes, split, round % 3 == 1);
    decode_stream(bytes, split, false);
    expect_refused_or_canonical(types[rng() % types.size()], bytes);
    if (HasFailure()) return;
  }
}

TEST(WireRobustness, MutatedValidStreamsOnlyEverGiveProtocolErrors) {
  std::mt19937 rng(7);
  const std::vector<Message> messages = sample_messages();
  std::vector<std::uint8_t> stream = encode_preamble();
  for (const Message& m : messages)
    append_frame(stream, m);
  ASSERT_EQ(decode_stream(stream, stream.size() / 2, true), messages.size());

  for (int round = 0; round < 3000; ++round) {
    std::vector<std::uint8_t> mutated = stream;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % mutated.size();
      switch (rng() % 4) {
        case 0:
          mutated[at] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          mutated[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          break;
        case 2:
          mutated.erase(mutated.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          mutated.insert(mutated.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng()));
      }
    }
    decode_stream(mutated, rng() % (mutated.size() + 1), true);

    // The same mutations on one message's payload, decoded directly.
    const Message& m = messages[rng() % messages.size()];
    std::vector<std::uint8_t> payload = testing::payload_of(m);
    if (!payload.empty()) payload[rng() % payload.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 2 == 0 && !payload.empty()) payload.resize(rng() % payload.size());
    expect_refused_or_canonical(static_cast<std::uint16_t>(type_of(m)), payload);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace spstudio::wire
