// SPDX-License-Identifier: Apache-2.0
// Encoding and decoding single messages: every type round-trips field by field and byte for byte,
// the byte layout is the documented little-endian one, and the encoder refuses what the decoder
// would refuse.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include "common/wire/codec.h"
#include "error_text.h"
#include "wire_samples.h"

namespace spstudio::wire {
namespace {

using spstudio::testing::error_of;
using testing::message_difference;
using testing::sample_messages;

TEST(WireCodec, SamplesCoverEveryMessageType) {
  const std::vector<Message> samples = sample_messages();
  ASSERT_EQ(samples.size(), std::variant_size_v<Message>);
  std::set<MessageType> types;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].index(), i);
    types.insert(type_of(samples[i]));
  }
  EXPECT_EQ(types.size(), samples.size());
}

class WireRoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(WireRoundTrip, EveryFieldSurvivesAndTheBytesAreCanonical) {
  const Message original = sample_messages()[GetParam()];
  const std::vector<std::uint8_t> frame = encode_frame(original);
  ASSERT_GE(frame.size(), kFrameHeaderBytes);
  const std::uint32_t length =
      frame[0] | (frame[1] << 8) | (frame[2] << 16) | (static_cast<std::uint32_t>(frame[3]) << 24);
  EXPECT_EQ(length, frame.size() - kFrameHeaderBytes);
  EXPECT_EQ(frame[4] | (frame[5] << 8), static_cast<int>(type_of(original)));

  const Message decoded = decode_payload(static_cast<std::uint16_t>(type_of(original)),
                                         frame.data() + kFrameHeaderBytes, frame.size() - kFrameHeaderBytes);
  EXPECT_EQ(message_difference(original, decoded), "");
  EXPECT_EQ(encode_frame(decoded), frame);

  // The samples must really differ from a default-constructed message in every field; otherwise a
  // field the codec forgot would still compare equal.
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        EXPECT_NE(message_difference(Message(M{}), original), "");
      },
      original);
}

INSTANTIATE_TEST_SUITE_P(AllMessages, WireRoundTrip, ::testing::Range<std::size_t>(0, std::variant_size_v<Message>),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return type_name(static_cast<std::uint16_t>(type_of(sample_messages()[param.param])));
                         });

TEST(WireCodec, HelloBytesAreTheDocumentedLittleEndianLayout) {
  const Hello hello{"ab", 1, 0x0302, "c", 0x0807060504030201ULL, 9};
  const std::vector<std::uint8_t> expected = {31, 0, 0, 0,                  // payload length
                                              1,  0,                        // MessageType::Hello
                                              2,  0, 0, 0, 'a', 'b',        // token
                                              1,  0, 0, 0,                  // rank
                                              2,  3, 0, 0,                  // world
                                              1,  0, 0, 0, 'c',             // device
                                              1,  2, 3, 4, 5,   6,   7, 8,  // memory_bytes
                                              9,  0, 0, 0};                 // pid
  EXPECT_EQ(encode_frame(hello), expected);
  const std::vector<std::uint8_t> preamble = {'S', 'P', 'S', 'T', 'U', 'D', 'I', 'O', 1, 0, 0, 0};
  EXPECT_EQ(encode_preamble(), preamble);
  EXPECT_EQ(encode_preamble(0x01020304)[8], 4);
  EXPECT_EQ(encode_preamble().size(), kPreambleBytes);
}

TEST(WireCodec, DoublesKeepTheirExactBits) {
  StepDone done;
  done.step_ms = std::numeric_limits<double>::quiet_NaN();
  done.timestep = -0.0;
  done.sigma = -std::numeric_limits<double>::infinity();
  const std::vector<std::uint8_t> frame = encode_frame(done);
  const Message decoded = decode_payload(static_cast<std::uint16_t>(MessageType::StepDone),
                                         frame.data() + kFrameHeaderBytes, frame.size() - kFrameHeaderBytes);
  const StepDone& back = std::get<StepDone>(decoded);
  EXPECT_TRUE(std::isnan(back.step_ms));
  EXPECT_TRUE(std::signbit(back.timestep));
  EXPECT_EQ(back.sigma, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(encode_frame(decoded), frame);
}

TEST(WireCodec, EmptyImageAndTensorAreAllowed) {
  ImageDone summary_only;  // ranks other than 0 send no image and no latents
  summary_only.rank = 3;
  summary_only.summary_json = "{}";
  const std::vector<std::uint8_t> frame = encode_frame(summary_only);
  const Message back = decode_payload(static_cast<std::uint16_t>(MessageType::ImageDone),
                                      frame.data() + kFrameHeaderBytes, frame.size() - kFrameHeaderBytes);
  EXPECT_EQ(message_difference(summary_only, back), "");
}

TEST(WireCodec, TypeNames) {
  EXPECT_EQ(type_name(20), "StepPreview");
  EXPECT_EQ(type_name(1), "Hello");
  EXPECT_EQ(type_name(33), "Bye");
  EXPECT_EQ(type_name(999), "type 999");
  EXPECT_EQ(type_name(0), "type 0");
  EXPECT_EQ(type_of(Cancel{}), MessageType::Cancel);
  EXPECT_EQ(type_of(Heartbeat{}), MessageType::Heartbeat);
}

TEST(WireCodec, EncoderRefusesFramesOverTheCap) {
  Job job;
  job.prompt.assign(kMaxFrameBytes / 2, 'a');
  job.negative_prompt.assign(kMaxFrameBytes / 2, 'b');  // each under the cap, together over it
  std::vector<std::uint8_t> out = {1, 2, 3};
  EXPECT_THROW(append_frame(out, job), std::length_error);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3})) << "a failed append must leave the buffer as it was";
  EXPECT_CONTAINS(error_of([&] { encode_frame(job); }), "Job frame of 67108942 bytes exceeds the 67108864-byte cap");

  Reject reject;
  reject.reason.assign(kMaxFrameBytes + 1, 'x');
  EXPECT_THROW(encode_frame(reject), std::length_error);
  EXPECT_CONTAINS(error_of([&] { encode_frame(reject); }), "Reject.reason: 67108865");
}

TEST(WireCodec, EncoderRefusesInconsistentValues) {
  Latent latent;
  latent.tensor = TensorData{"F32", {2, 3}, std::vector<std::uint8_t>(20)};
  EXPECT_THROW(encode_frame(latent), std::invalid_argument);
  EXPECT_CONTAINS(error_of([&] { encode_frame(latent); }),
                  "Latent.tensor: 20 bytes for a F32 tensor of shape [2, 3] (expected 24)");

  StepPreview preview;
  preview.tile = RgbImage{10, 10, std::vector<std::uint8_t>(299)};
  EXPECT_CONTAINS(error_of([&] { encode_frame(preview); }),
                  "StepPreview.tile: 299 RGB bytes for a 10\u00d710 image (expected 10\u00d710\u00d73 = 300)");

  Cancel cancel;
  cancel.mode = static_cast<CancelMode>(7);
  EXPECT_CONTAINS(error_of([&] { encode_frame(cancel); }),
                  "Cancel.mode: 7 is not a value of CancelMode (0 Now, 1 AfterImage, 2 Pending)");
}

TEST(WireExitCodes, EveryCodeHasItsOwnSentence) {
  const ExitCode codes[] = {
      ExitCode::Ok,          ExitCode::BadArguments,   ExitCode::DeviceInit,    ExitCode::CommunicatorInit,
      ExitCode::PlanInvalid, ExitCode::OutOfMemory,    ExitCode::ProtocolError, ExitCode::ModelLoad,
      ExitCode::JobFailed,   ExitCode::SupervisorLost, ExitCode::Internal};
  std::set<std::string> sentences;
  for (const ExitCode c : codes)
    sentences.insert(describe_exit_code(static_cast<int>(c)));
  EXPECT_EQ(sentences.size(), std::size(codes));
  EXPECT_STREQ(describe_exit_code(5), "the plan is invalid");
  EXPECT_CONTAINS(describe_exit_code(6), "out of memory");
  EXPECT_CONTAINS(describe_exit_code(1), "never uses");
  EXPECT_CONTAINS(describe_exit_code(-9), "never uses");
  EXPECT_CONTAINS(describe_exit_code(300), "never uses");
  EXPECT_EQ(sentences.count(describe_exit_code(1)), 0u);
}

}  // namespace
}  // namespace spstudio::wire
