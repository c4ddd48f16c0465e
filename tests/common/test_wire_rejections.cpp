// SPDX-License-Identifier: Apache-2.0
// Malformed payloads: each rejected with a ProtocolError that names the message and the field,
// and no declared length or count allocates before it is checked against the bytes that remain.
#include <gtest/gtest.h>

#include <string>

#include "common/wire/codec.h"
#include "error_text.h"
#include "wire_samples.h"

namespace spstudio::wire {
namespace {

using testing::payload_of;
using testing::PayloadBuilder;
using testing::sample_messages;
using Kind = ProtocolError::Kind;

std::uint16_t type_id(MessageType t) {
  return static_cast<std::uint16_t>(t);
}

/// The ProtocolError decode_payload throws (kind and message).
ProtocolError rejection(MessageType type, const std::vector<std::uint8_t>& payload) {
  try {
    decode_payload(type_id(type), payload.data(), payload.size());
  } catch (const ProtocolError& e) {
    return e;
  }
  ADD_FAILURE() << type_name(type_id(type)) << " payload of " << payload.size() << " bytes was accepted";
  return ProtocolError(Kind::Malformed, "(accepted)");
}

TEST(WireRejections, EveryPrefixOfEveryPayloadIsMalformed) {
  for (const Message& m : sample_messages()) {
    const std::vector<std::uint8_t> payload = payload_of(m);
    const std::string name = type_name(type_id(type_of(m)));
    for (std::size_t size = 0; size < payload.size(); ++size) {
      // A copy of exactly `size` bytes, so ASan sees any read past the end.
      const std::vector<std::uint8_t> prefix(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(size));
      const ProtocolError e = rejection(type_of(m), prefix);
      EXPECT_EQ(e.kind(), Kind::Malformed) << name << " prefix " << size << ": " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(name + ".", 0), 0u) << e.what();
    }
  }
}

TEST(WireRejections, TrailingBytes) {
  std::vector<std::uint8_t> payload = payload_of(Heartbeat{1, 2});
  payload.insert(payload.end(), {0, 0, 0});
  EXPECT_STREQ(
      rejection(MessageType::Heartbeat, payload).what(),
      "Heartbeat: 3 trailing byte(s) after the last field (the payload has 15 bytes, the fields end at byte 12)");
}

TEST(WireRejections, BoolOtherThanZeroOrOne) {
  Job job;
  std::vector<std::uint8_t> payload = payload_of(job);
  payload[payload.size() - 2] = 2;  // send_latents, the second-last field
  EXPECT_STREQ(rejection(MessageType::Job, payload).what(), "Job.send_latents: 2 is not a bool (0 or 1)");
}

TEST(WireRejections, EnumValuesOutsideTheirType) {
  EXPECT_STREQ(rejection(MessageType::Cancel, PayloadBuilder().u64(1).u8(7).bytes()).what(),
               "Cancel.mode: 7 is not a value of CancelMode (0 Now, 1 AfterImage, 2 Pending)");
  EXPECT_CONTAINS(rejection(MessageType::Error, PayloadBuilder().u32(0).u64(0).u8(1).str("x").bytes()).what(),
                  "Error.code: 1 is not a value of ExitCode (0 Ok, 2 BadArguments");
  EXPECT_CONTAINS(rejection(MessageType::Log, PayloadBuilder().u32(0).u8(4).str("").bytes()).what(),
                  "Log.level: 4 is not a value of LogLevel");
  EXPECT_CONTAINS(rejection(MessageType::JobDone, PayloadBuilder().u64(0).u32(0).u8(3).u32(0).str("").bytes()).what(),
                  "JobDone.status: 3 is not a value of JobStatus");
}

/// A Latent payload with the given tensor fields.
std::vector<std::uint8_t> latent_payload(const std::string& dtype, const std::vector<std::int64_t>& shape,
                                         std::size_t bytes) {
  PayloadBuilder b;
  b.u64(1).u32(0).u32(0).u32(1).str("x0").str(dtype).u32(static_cast<std::uint32_t>(shape.size()));
  for (const std::int64_t d : shape)
    b.i64(d);
  return b.blob(std::vector<std::uint8_t>(bytes, 0xab)).bytes();
}

TEST(WireRejections, TensorBytesMustMatchShapeAndDtype) {
  EXPECT_NO_THROW(decode_payload(type_id(MessageType::Latent), latent_payload("F32", {2, 3}, 24).data(),
                                 latent_payload("F32", {2, 3}, 24).size()));
  EXPECT_STREQ(rejection(MessageType::Latent, latent_payload("F32", {2, 3}, 20)).what(),
               "Latent.tensor: 20 bytes for a F32 tensor of shape [2, 3] (expected 24)");
  EXPECT_STREQ(rejection(MessageType::Latent, latent_payload("BF16", {}, 1)).what(),
               "Latent.tensor: 1 bytes for a BF16 tensor of shape [] (expected 2)");
  EXPECT_CONTAINS(
      rejection(MessageType::Latent, latent_payload("Q4", {2}, 1)).what(),
      "Latent.tensor: dtype \"Q4\" is not one the protocol knows (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
  EXPECT_CONTAINS(rejection(MessageType::Latent, latent_payload("U8", {2, -1}, 0)).what(),
                  "shape [2, -1] has a negative dimension");
  // 2^62 · 4 bytes wraps to 0 in 64 bits: the check must not be fooled into accepting 0 bytes.
  EXPECT_CONTAINS(rejection(MessageType::Latent, latent_payload("F32", {1LL << 62}, 0)).what(),
                  "Latent.tensor: shape [4611686018427387904] of F32 needs more bytes than 2^64");
  EXPECT_CONTAINS(rejection(MessageType::Latent, latent_payload("U8", {1LL << 32, 1LL << 32}, 0)).what(),
                  "needs more bytes than 2^64");
  EXPECT_CONTAINS(rejection(MessageType::Latent, latent_payload("", {3}, 0)).what(), "has no dtype");
  for (const char* dtype : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"}) {
    const std::vector<std::uint8_t> one_element_one_byte = latent_payload(dtype, {1}, 1);
    const std::string name = dtype;
    const bool one_byte_type = name == "I8" || name == "U8" || name == "BOOL";
    bool accepted = true;
    try {
      decode_payload(type_id(MessageType::Latent), one_element_one_byte.data(), one_element_one_byte.size());
    } catch (const ProtocolError&) {
      accepted = false;
    }
    EXPECT_EQ(accepted, one_byte_type) << dtype;
  }
}

TEST(WireRejections, HugeCountsAreRefusedBeforeAllocating) {
  // Each declares ~4 G elements in a payload of a few bytes; an allocation first would need
  // gigabytes (ASan would abort the test on it).
  EXPECT_STREQ(
      rejection(MessageType::Ranges, PayloadBuilder().u64(1).u32(0).u32(0).u32(0).u32(0xffffffff).bytes()).what(),
      "Ranges.records: declares 4294967295 records (24 bytes each) but only 0 bytes remain in the 24-byte "
      "payload");
  EXPECT_CONTAINS(rejection(MessageType::Latent,
                            PayloadBuilder().u64(1).u32(0).u32(0).u32(1).str("x").str("F32").u32(0x40000000).bytes())
                      .what(),
                  "Latent.tensor.shape: declares 1073741824 entries (8 bytes each) but only 0 bytes remain");
  EXPECT_CONTAINS(rejection(MessageType::Reject, PayloadBuilder().u32(0xfffffff0).u8(1).bytes()).what(),
                  "Reject.reason: declares 4294967280 bytes but only 1 bytes remain in the 5-byte payload");
  // A record count that fits the cap but not the payload.
  PayloadBuilder two_records_one_sent;
  two_records_one_sent.u64(1).u32(0).u32(0).u32(0).u32(2).u32(1).i64(0).i64(1).u16(0).u16(0);
  EXPECT_CONTAINS(rejection(MessageType::Ranges, two_records_one_sent.bytes()).what(),
                  "Ranges.records: declares 2 records (24 bytes each) but only 24 bytes remain");
}

TEST(WireRejections, RgbSizeMustBeWidthTimesHeightTimesThree) {
  PayloadBuilder preview;
  for (int i = 0; i < 2; ++i)
    preview.u32(0);  // job_id as two u32
  for (int i = 0; i < 11; ++i)
    preview.u32(1);  // image_index … pixel_scale
  preview.i64(0).u32(10).u32(10).blob(std::vector<std::uint8_t>(299));
  EXPECT_STREQ(rejection(MessageType::StepPreview, preview.bytes()).what(),
               "StepPreview.tile: 299 RGB bytes for a 10\u00d710 image (expected 10\u00d710\u00d73 = 300)");

  PayloadBuilder image;
  image.u64(1).u32(0).u32(0).u64(0).u32(0xffffffff).u32(0xffffffff).blob({});
  EXPECT_CONTAINS(rejection(MessageType::ImageDone, image.bytes()).what(),
                  "ImageDone.image: a 4294967295\u00d74294967295 image needs more bytes than 2^64");
}

TEST(WireRejections, UnknownTypeInDecodePayload) {
  const std::uint8_t none = 0;
  try {
    decode_payload(999, &none, 0);
    ADD_FAILURE() << "type 999 decoded";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.kind(), Kind::UnknownType);
    EXPECT_STREQ(e.what(), "unknown message type 999");
  }
}

}  // namespace
}  // namespace spstudio::wire
