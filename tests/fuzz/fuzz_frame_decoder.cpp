// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the wire decoder (scripts/fuzz.sh). Any byte sequence may only ever be
// refused with a ProtocolError: any other exception, a crash, or an ASan/UBSan report is a bug.
// What does decode must re-encode to exactly the bytes it came from (the encoding is canonical).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>

#include "common/wire/codec.h"

namespace {

using namespace spstudio::wire;

[[noreturn]] void fail(const char* what, const char* detail) {
  std::fprintf(stderr, "fuzz_frame_decoder: %s: %s\n", what, detail);
  std::abort();
}

/// The encoding of `message` must equal `size` bytes at `original`.
void expect_canonical(const Message& message, const std::uint8_t* original, std::size_t size) {
  const std::vector<std::uint8_t> again = encode_frame(message);
  if (again.size() != size || std::memcmp(again.data(), original, size) != 0) {
    fail("a decoded message does not re-encode to its bytes",
         type_name(static_cast<std::uint16_t>(type_of(message))).c_str());
  }
}

/// Feeds the stream in two parts (split where the data says) and drains the decoder.
void decode_stream(const std::uint8_t* data, std::size_t size, std::size_t split, FrameDecoder::Options options) {
  FrameDecoder decoder(options);
  try {
    for (const auto& [begin, end] : {std::pair{std::size_t{0}, split}, std::pair{split, size}}) {
      decoder.feed(data + begin, end - begin);
      while (std::optional<Message> m = decoder.next()) {
        // The frame ends at offset() and is as long as its re-encoding; the stream is `data`.
        const std::size_t frame_end = static_cast<std::size_t>(decoder.offset());
        const std::size_t frame_size = encode_frame(*m).size();
        if (frame_size > frame_end) fail("a decoded frame is longer than the stream before it", "");
        expect_canonical(*m, data + frame_end - frame_size, frame_size);
      }
    }
    decoder.finish();
  } catch (const ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const std::size_t split = size < 2 ? 0 : (data[0] | (data[size - 1] << 8)) % (size + 1);
    decode_stream(data, size, split, {/*expect_preamble=*/true});
    decode_stream(data, size, split, {/*expect_preamble=*/false});
    decode_stream(data, size, size - split, {/*expect_preamble=*/false, /*max_frame_bytes=*/64});
    if (size >= 2) {
      const auto type = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
      std::optional<Message> m;
      try {
        m = decode_payload(type, data + 2, size - 2);
      } catch (const ProtocolError&) {
      }
      if (m) {
        if (type_of(*m) != static_cast<MessageType>(type)) fail("decode_payload returned another type", "");
        const std::vector<std::uint8_t> frame = encode_frame(*m);
        if (frame.size() != size - 2 + kFrameHeaderBytes ||
            std::memcmp(frame.data() + kFrameHeaderBytes, data + 2, size - 2) != 0) {
          fail("a decoded payload does not re-encode to its bytes", type_name(type).c_str());
        }
      }
    }
  } catch (const std::exception& e) {
    fail("an exception other than ProtocolError escaped", e.what());
  } catch (...) {
    fail("a non-standard exception escaped", "");
  }
  return 0;
}
