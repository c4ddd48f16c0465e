// SPDX-License-Identifier: Apache-2.0
// The incremental stream decoder: any split of the byte stream gives the same messages, the
// preamble and frame headers are checked as soon as they arrive, failure is sticky, and finish()
// reports a stream cut off mid-frame with where that frame began.
#include <gtest/gtest.h>

#include <string>

#include "common/wire/codec.h"
#include "error_text.h"
#include "wire_samples.h"

namespace spstudio::wire {
namespace {

using testing::message_difference;
using testing::raw_frame;
using testing::sample_messages;
using Kind = ProtocolError::Kind;

std::vector<std::uint8_t> stream_of(const std::vector<Message>& messages, bool preamble) {
  std::vector<std::uint8_t> out = preamble ? encode_preamble() : std::vector<std::uint8_t>{};
  for (const Message& m : messages)
    append_frame(out, m);
  return out;
}

void drain(FrameDecoder& decoder, std::vector<Message>& out) {
  while (std::optional<Message> m = decoder.next())
    out.push_back(std::move(*m));
}

void expect_same(const std::vector<Message>& got, const std::vector<Message>& expected, const std::string& where) {
  ASSERT_EQ(got.size(), expected.size()) << where;
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(message_difference(got[i], expected[i]), "") << where;
}

/// The ProtocolError that next() throws for `bytes`, fed at once.
ProtocolError error_for(const std::vector<std::uint8_t>& bytes, FrameDecoder::Options options = {}) {
  FrameDecoder decoder(options);
  decoder.feed(bytes);
  try {
    while (decoder.next()) {
    }
  } catch (const ProtocolError& e) {
    return e;
  }
  ADD_FAILURE() << "no ProtocolError for " << bytes.size() << " bytes";
  return ProtocolError(Kind::Malformed, "(no error)");
}

TEST(WireFrameDecoder, EverySplitOfTheStreamGivesTheSameMessages) {
  const std::vector<Message> messages = sample_messages();
  for (const bool preamble : {true, false}) {
    const std::vector<std::uint8_t> stream = stream_of(messages, preamble);
    for (std::size_t split = 0; split <= stream.size(); ++split) {
      FrameDecoder decoder(FrameDecoder::Options{preamble});
      std::vector<Message> got;
      decoder.feed(stream.data(), split);
      drain(decoder, got);
      decoder.feed(stream.data() + split, stream.size() - split);
      drain(decoder, got);
      decoder.finish();
      expect_same(got, messages, "split at byte " + std::to_string(split));
      EXPECT_EQ(decoder.offset(), stream.size());
      EXPECT_EQ(decoder.buffered(), 0u);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(WireFrameDecoder, ByteByByteFeeding) {
  const std::vector<Message> messages = sample_messages();
  const std::vector<std::uint8_t> stream = stream_of(messages, true);
  FrameDecoder decoder(FrameDecoder::Options{true});
  std::vector<Message> got;
  for (const std::uint8_t byte : stream) {
    decoder.feed(&byte, 1);
    drain(decoder, got);
  }
  expect_same(got, messages, "byte by byte");
  EXPECT_EQ(decoder.peer_version(), kProtocolVersion);
}

TEST(WireFrameDecoder, SeveralFramesInOneFeedComeOutOneByOne) {
  const std::vector<Message> messages = {Heartbeat{1, 5}, Log{2, LogLevel::Error, "x"}, Bye{3, "done"}};
  FrameDecoder decoder;
  decoder.feed(stream_of(messages, false));
  const std::size_t first = encode_frame(messages[0]).size();
  std::optional<Message> m = decoder.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(message_difference(*m, messages[0]), "");
  EXPECT_EQ(decoder.offset(), first);
  std::vector<Message> rest;
  drain(decoder, rest);
  expect_same(rest, {messages[1], messages[2]}, "rest");
  EXPECT_FALSE(decoder.next());
}

TEST(WireFrameDecoder, BadMagicIsRefusedAtTheFirstWrongByte) {
  const std::string http = "GET / HTTP/1.1\r\n";
  const ProtocolError e = error_for({http.begin(), http.end()}, {true});
  EXPECT_EQ(e.kind(), Kind::BadMagic);
  EXPECT_CONTAINS(e.what(), "bad magic: not an SP Studio stream");
  EXPECT_CONTAINS(e.what(), "47 45 54 20");  // "GET "

  FrameDecoder decoder(FrameDecoder::Options{true});
  const std::uint8_t s_then_x[] = {'S', 'X'};
  decoder.feed(s_then_x, 1);
  EXPECT_FALSE(decoder.next()) << "'S' may still become SPSTUDIO";
  decoder.feed(s_then_x + 1, 1);
  EXPECT_THROW(decoder.next(), ProtocolError) << "'SX' cannot";
}

TEST(WireFrameDecoder, VersionMismatchSaysWhichVersionThePeerSpeaks) {
  const ProtocolError e = error_for(encode_preamble(2), {true});
  EXPECT_EQ(e.kind(), Kind::VersionMismatch);
  EXPECT_EQ(e.version(), 2u);
  EXPECT_STREQ(e.what(), "protocol version 2, this side speaks 1");

  FrameDecoder decoder(FrameDecoder::Options{true});
  decoder.feed(encode_preamble(2));
  EXPECT_THROW(decoder.next(), ProtocolError);
  EXPECT_EQ(decoder.peer_version(), 2u);
}

TEST(WireFrameDecoder, OverCapLengthIsRefusedBeforeThePayloadArrives) {
  const ProtocolError e = error_for(raw_frame(80000000, 21, {}));
  EXPECT_EQ(e.kind(), Kind::FrameTooLarge);
  EXPECT_CONTAINS(e.what(), "frame of 80000000 bytes exceeds the 67108864-byte cap (message Latent)");

  const ProtocolError small = error_for(raw_frame(101, 30, {}), {false, 100});
  EXPECT_EQ(small.kind(), Kind::FrameTooLarge);
  EXPECT_CONTAINS(small.what(), "frame of 101 bytes exceeds the 100-byte cap");
  // The cap is inclusive.
  FrameDecoder at_cap(FrameDecoder::Options{false, 7});
  at_cap.feed(encode_frame(Reject{"abc"}));
  EXPECT_TRUE(at_cap.next());
}

TEST(WireFrameDecoder, UnknownTypeIsRefusedBeforeThePayloadArrives) {
  const ProtocolError e = error_for(raw_frame(1000, 999, {}));
  EXPECT_EQ(e.kind(), Kind::UnknownType);
  EXPECT_CONTAINS(e.what(), "unknown message type 999 (frame at stream byte 0)");
}

TEST(WireFrameDecoder, MalformedPayloadNamesTheFieldAndTheFrameOffset) {
  std::vector<std::uint8_t> stream = encode_frame(Heartbeat{1, 2});
  const std::vector<std::uint8_t> bad = raw_frame(3, static_cast<std::uint16_t>(MessageType::Bye), {1, 0, 0});
  stream.insert(stream.end(), bad.begin(), bad.end());
  const ProtocolError e = error_for(stream);
  EXPECT_EQ(e.kind(), Kind::Malformed);
  EXPECT_CONTAINS(e.what(), "Bye.rank: the 3-byte payload ends inside this field");
  EXPECT_CONTAINS(e.what(), "(frame at stream byte 18)");
}

TEST(WireFrameDecoder, FailureIsSticky) {
  FrameDecoder decoder;
  decoder.feed(raw_frame(4, 999, {0, 0, 0, 0}));
  EXPECT_THROW(decoder.next(), ProtocolError);
  decoder.feed(encode_frame(Heartbeat{1, 2}));  // valid bytes after the error change nothing
  for (int i = 0; i < 2; ++i) {
    try {
      decoder.next();
      ADD_FAILURE() << "a failed decoder returned a message";
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.kind(), Kind::UnknownType);
      EXPECT_CONTAINS(e.what(), "unknown message type 999");
    }
  }
  EXPECT_THROW(decoder.finish(), ProtocolError);
}

TEST(WireFrameDecoder, FinishReportsTheTruncatedFrameAndWhereItBegan) {
  std::vector<std::uint8_t> stream = encode_preamble();
  append_frame(stream, Heartbeat{1, 2});  // 12 + 18 bytes
  const std::vector<std::uint8_t> next = encode_frame(Log{1, LogLevel::Info, "hello"});
  stream.insert(stream.end(), next.begin(), next.end() - 2);

  FrameDecoder decoder(FrameDecoder::Options{true});
  decoder.feed(stream);
  std::vector<Message> got;
  drain(decoder, got);
  EXPECT_EQ(got.size(), 1u);
  try {
    decoder.finish();
    ADD_FAILURE() << "finish() accepted a cut-off frame";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.kind(), Kind::Truncated);
    EXPECT_CONTAINS(e.what(), "the stream ended inside the Log frame that begins at byte 30 (18 of 20 bytes)");
  }

  FrameDecoder header_only;
  header_only.feed(next.data(), 3);
  EXPECT_FALSE(header_only.next());
  EXPECT_CONTAINS(spstudio::testing::error_of([&] { header_only.finish(); }),
                  "inside the header of the frame that begins at byte 0 (3 of 6 header bytes)");

  FrameDecoder half_preamble(FrameDecoder::Options{true});
  half_preamble.feed(encode_preamble().data(), 5);
  EXPECT_FALSE(half_preamble.next());
  EXPECT_CONTAINS(spstudio::testing::error_of([&] { half_preamble.finish(); }),
                  "the stream ended inside the preamble (5 of 12 bytes)");

  FrameDecoder clean(FrameDecoder::Options{true});
  clean.feed(encode_preamble());
  EXPECT_FALSE(clean.next());
  EXPECT_NO_THROW(clean.finish());
  FrameDecoder empty;
  EXPECT_NO_THROW(empty.finish());
}

}  // namespace
}  // namespace spstudio::wire
