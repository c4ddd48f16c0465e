// SPDX-License-Identifier: Apache-2.0
// Writes the fuzzer's seed corpus into a directory: valid streams and payloads of every message
// (from the test samples), so fuzzing starts deep inside the decoder instead of at the magic.
//   spstudio-fuzz-seeds DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/wire/codec.h"
#include "wire_samples.h"

namespace {

void write(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace spstudio::wire;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    std::filesystem::create_directories(dir);
    std::vector<std::uint8_t> all = encode_preamble();
    int count = 0;
    for (const Message& m : testing::sample_messages()) {
      const std::uint16_t type = static_cast<std::uint16_t>(type_of(m));
      const std::string name = type_name(type);
      const std::vector<std::uint8_t> frame = encode_frame(m);
      all.insert(all.end(), frame.begin(), frame.end());
      // A frame alone (the worker side: no preamble), the same after a preamble, and the payload
      // behind its u16 type (the decode_payload mode of the target).
      write(dir / ("frame_" + name), frame);
      std::vector<std::uint8_t> with_preamble = encode_preamble();
      with_preamble.insert(with_preamble.end(), frame.begin(), frame.end());
      write(dir / ("stream_" + name), with_preamble);
      std::vector<std::uint8_t> typed_payload = {frame[4], frame[5]};
      typed_payload.insert(typed_payload.end(), frame.begin() + kFrameHeaderBytes, frame.end());
      write(dir / ("payload_" + name), typed_payload);
      count += 3;
    }
    write(dir / "stream_all", all);
    std::printf("wrote %d seeds to %s\n", count + 1, dir.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
