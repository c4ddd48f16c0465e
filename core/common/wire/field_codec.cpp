// SPDX-License-Identifier: Apache-2.0
#include "common/wire/field_codec.h"

#include <limits>
#include <stdexcept>

#include "common/tensor_dtypes.h"
#include "common/wire/codec.h"
#include "common/wire/message_fields.h"

namespace spstudio::wire::detail {
namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace

const char* EnumInfo<CancelMode>::name(std::uint8_t value) {
  switch (static_cast<CancelMode>(value)) {
    case CancelMode::Now:
      return "Now";
    case CancelMode::AfterImage:
      return "AfterImage";
    case CancelMode::Pending:
      return "Pending";
  }
  return nullptr;
}

const char* EnumInfo<JobStatus>::name(std::uint8_t value) {
  switch (static_cast<JobStatus>(value)) {
    case JobStatus::Ok:
      return "Ok";
    case JobStatus::Cancelled:
      return "Cancelled";
    case JobStatus::Failed:
      return "Failed";
  }
  return nullptr;
}

const char* EnumInfo<LogLevel>::name(std::uint8_t value) {
  switch (static_cast<LogLevel>(value)) {
    case LogLevel::Debug:
      return "Debug";
    case LogLevel::Info:
      return "Info";
    case LogLevel::Warning:
      return "Warning";
    case LogLevel::Error:
      return "Error";
  }
  return nullptr;
}

const char* EnumInfo<ExitCode>::name(std::uint8_t value) {
  switch (static_cast<ExitCode>(value)) {
    case ExitCode::Ok:
      return "Ok";
    case ExitCode::BadArguments:
      return "BadArguments";
    case ExitCode::DeviceInit:
      return "DeviceInit";
    case ExitCode::CommunicatorInit:
      return "CommunicatorInit";
    case ExitCode::PlanInvalid:
      return "PlanInvalid";
    case ExitCode::OutOfMemory:
      return "OutOfMemory";
    case ExitCode::ProtocolError:
      return "ProtocolError";
    case ExitCode::ModelLoad:
      return "ModelLoad";
    case ExitCode::JobFailed:
      return "JobFailed";
    case ExitCode::SupervisorLost:
      return "SupervisorLost";
    case ExitCode::Internal:
      return "Internal";
  }
  return nullptr;
}

std::string tensor_problem(const TensorData& tensor) {
  if (tensor.dtype.empty()) {
    if (tensor.shape.empty() && tensor.bytes.empty()) return {};  // "no tensor"
    return "a tensor with shape " + shape_text(tensor.shape) + " and " + std::to_string(tensor.bytes.size()) +
           " bytes has no dtype (an empty tensor has no shape and no bytes either)";
  }
  const std::size_t itemsize = dtype_itemsize(tensor.dtype);
  if (itemsize == 0) {
    return "dtype \"" + tensor.dtype + "\" is not one the protocol knows (" + supported_dtypes_text() + ")";
  }
  // numel · itemsize in 64 bits with an overflow check: a hostile shape must not wrap around to
  // the byte count that was sent.
  std::uint64_t expected = itemsize;
  for (const std::int64_t dim : tensor.shape) {
    if (dim < 0) return "shape " + shape_text(tensor.shape) + " has a negative dimension";
    const auto d = static_cast<std::uint64_t>(dim);
    if (d != 0 && expected > kU64Max / d) {
      return "shape " + shape_text(tensor.shape) + " of " + tensor.dtype + " needs more bytes than 2^64";
    }
    expected *= d;
  }
  if (expected != tensor.bytes.size()) {
    return std::to_string(tensor.bytes.size()) + " bytes for a " + tensor.dtype + " tensor of shape " +
           shape_text(tensor.shape) + " (expected " + std::to_string(expected) + ")";
  }
  return {};
}

std::string rgb_problem(const RgbImage& image) {
  // width, height < 2^32, so width·height fits in 64 bits; ·3 might not.
  const std::uint64_t pixels = static_cast<std::uint64_t>(image.width) * image.height;
  const std::string size = std::to_string(image.width) + "\u00d7" + std::to_string(image.height);
  if (pixels > kU64Max / 3) return "a " + size + " image needs more bytes than 2^64";
  if (pixels * 3 != image.rgb.size()) {
    return std::to_string(image.rgb.size()) + " RGB bytes for a " + size + " image (expected " + size +
           "\u00d73 = " + std::to_string(pixels * 3) + ")";
  }
  return {};
}

std::string FieldPath::str() const {
  std::string out = message_;
  for (const Segment& s : segments_) {
    out += s.name != nullptr ? "." + std::string(s.name) : "[" + std::to_string(s.index) + "]";
  }
  return out;
}

// ---- encoder ------------------------------------------------------------------------------------

void FieldEncoder::check_length(std::size_t count, std::size_t element_bytes) const {
  // Checked per field so an oversized blob fails before it is copied; encode_frame checks the sum.
  if (count > kMaxFrameBytes / element_bytes) {
    throw std::length_error(path_.str() + ": " + std::to_string(count) + " × " + std::to_string(element_bytes) +
                            " bytes exceed the " + std::to_string(kMaxFrameBytes) + "-byte frame cap");
  }
}

void FieldEncoder::fail(const std::string& problem) const {
  throw std::invalid_argument(path_.str() + ": " + problem + "; the peer would reject this message");
}

void FieldEncoder::write(const std::string& s) {
  check_length(s.size(), 1);
  out_.string(s);
}

void FieldEncoder::write(const std::vector<std::uint8_t>& bytes) {
  check_length(bytes.size(), 1);
  out_.blob(bytes.data(), bytes.size());
}

void FieldEncoder::write(const std::vector<std::int64_t>& values) {
  check_length(values.size(), 8);
  out_.u32(static_cast<std::uint32_t>(values.size()));
  for (const std::int64_t v : values)
    out_.u64(static_cast<std::uint64_t>(v));
}

void FieldEncoder::write(const std::vector<RangeRecord>& records) {
  check_length(records.size(), RangeRecordFields::kWireBytes);
  out_.u32(static_cast<std::uint32_t>(records.size()));
  for (std::size_t i = 0; i < records.size(); ++i) {
    path_.push_index(i);
    RangeRecordFields::visit(*this, records[i]);
    path_.pop();
  }
}

void FieldEncoder::write(const TensorData& tensor) {
  if (std::string problem = tensor_problem(tensor); !problem.empty()) fail(problem);
  field("dtype", tensor.dtype);
  field("shape", tensor.shape);
  field("bytes", tensor.bytes);
}

void FieldEncoder::write(const RgbImage& image) {
  if (std::string problem = rgb_problem(image); !problem.empty()) fail(problem);
  field("width", image.width);
  field("height", image.height);
  field("rgb", image.rgb);
}

// ---- decoder ------------------------------------------------------------------------------------

void FieldDecoder::fail(const std::string& problem) const {
  throw ProtocolError(ProtocolError::Kind::Malformed, path_.str() + ": " + problem);
}

void FieldDecoder::need(std::size_t bytes) const {
  if (in_.remaining() < bytes) {
    fail("the " + std::to_string(in_.size()) + "-byte payload ends inside this field (it needs " +
         std::to_string(bytes) + " bytes at byte " + std::to_string(in_.position()) + ", " +
         std::to_string(in_.remaining()) + " remain)");
  }
}

void FieldDecoder::finish() const {
  if (in_.remaining() != 0) {
    throw ProtocolError(ProtocolError::Kind::Malformed,
                        std::string(path_.message()) + ": " + std::to_string(in_.remaining()) +
                            " trailing byte(s) after the last field (the payload has " + std::to_string(in_.size()) +
                            " bytes, the fields end at byte " + std::to_string(in_.position()) + ")");
  }
}

std::uint32_t FieldDecoder::read_count(std::size_t element_bytes, const char* what) {
  need(4);
  const std::uint32_t count = in_.u32();
  if (count > in_.remaining() / element_bytes) {
    const std::string each = element_bytes == 1 ? "" : " (" + std::to_string(element_bytes) + " bytes each)";
    fail("declares " + std::to_string(count) + " " + what + each + " but only " + std::to_string(in_.remaining()) +
         " bytes remain in the " + std::to_string(in_.size()) + "-byte payload");
  }
  return count;
}

void FieldDecoder::read(bool& v) {
  need(1);
  const std::uint8_t raw = in_.u8();
  if (raw > 1) fail(std::to_string(raw) + " is not a bool (0 or 1)");
  v = raw == 1;
}

void FieldDecoder::read(double& v) {
  need(8);
  v = in_.f64();
}

void FieldDecoder::read(std::string& s) {
  const std::uint32_t size = read_count(1, "bytes");
  s.assign(reinterpret_cast<const char*>(in_.take(size)), size);
}

void FieldDecoder::read(std::vector<std::uint8_t>& bytes) {
  const std::uint32_t size = read_count(1, "bytes");
  const std::uint8_t* data = in_.take(size);
  bytes.assign(data, data + size);
}

void FieldDecoder::read(std::vector<std::int64_t>& values) {
  const std::uint32_t count = read_count(8, "entries");
  values.resize(count);
  for (std::int64_t& v : values)
    v = static_cast<std::int64_t>(in_.u64());
}

void FieldDecoder::read(std::vector<RangeRecord>& records) {
  const std::uint32_t count = read_count(RangeRecordFields::kWireBytes, "records");
  records.resize(count);
  for (std::size_t i = 0; i < records.size(); ++i) {
    path_.push_index(i);
    RangeRecordFields::visit(*this, records[i]);
    path_.pop();
  }
}

void FieldDecoder::read(TensorData& tensor) {
  field("dtype", tensor.dtype);
  field("shape", tensor.shape);
  field("bytes", tensor.bytes);
  if (std::string problem = tensor_problem(tensor); !problem.empty()) fail(problem);
}

void FieldDecoder::read(RgbImage& image) {
  field("width", image.width);
  field("height", image.height);
  field("rgb", image.rgb);
  if (std::string problem = rgb_problem(image); !problem.empty()) fail(problem);
}

}  // namespace spstudio::wire::detail
