// SPDX-License-Identifier: Apache-2.0
// Message ↔ payload for every message type (the field lists are in message_fields.h), the
// preamble and the frame header.
#include "common/wire/codec.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/wire/byte_io.h"
#include "common/wire/field_codec.h"
#include "common/wire/message_fields.h"

namespace spstudio::wire {
namespace {

using detail::Fields;

template <class M>
using FieldsOf = Fields<std::decay_t<M>>;

template <class T>
struct TypeTag {
  using type = T;
};

/// Calls `fn(TypeTag<M>{})` for the message type M whose MessageType is `type`; returns
/// false when no message has that type.
template <class Fn, std::size_t I = 0>
bool with_message_type(std::uint16_t type, Fn&& fn) {
  if constexpr (I == std::variant_size_v<Message>) {
    return false;
  } else {
    using M = std::variant_alternative_t<I, Message>;
    if (type == static_cast<std::uint16_t>(Fields<M>::kType)) {
      fn(TypeTag<M>{});
      return true;
    }
    return with_message_type<Fn, I + 1>(type, std::forward<Fn>(fn));
  }
}

void encode_payload(const Message& message, std::vector<std::uint8_t>& out) {
  std::visit(
      [&out](const auto& m) {
        detail::FieldEncoder encoder(FieldsOf<decltype(m)>::kName, out);
        FieldsOf<decltype(m)>::visit(encoder, m);
      },
      message);
}

}  // namespace

bool detail::is_message_type(std::uint16_t type) {
  return with_message_type(type, [](auto) {});
}

MessageType type_of(const Message& message) {
  return std::visit([](const auto& m) { return FieldsOf<decltype(m)>::kType; }, message);
}

std::string type_name(std::uint16_t type) {
  std::string name;
  with_message_type(type, [&name](auto tag) { name = Fields<typename decltype(tag)::type>::kName; });
  return name.empty() ? "type " + std::to_string(type) : name;
}

std::vector<std::uint8_t> encode_preamble(std::uint32_t version) {
  std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
  detail::ByteWriter(out).u32(version);
  return out;
}

std::vector<std::uint8_t> encode_frame(const Message& message) {
  std::vector<std::uint8_t> out;
  append_frame(out, message);
  return out;
}

void append_frame(std::vector<std::uint8_t>& out, const Message& message) {
  const std::size_t start = out.size();
  try {
    detail::ByteWriter header(out);
    header.u32(0);  // the payload length, patched below
    header.u16(static_cast<std::uint16_t>(type_of(message)));
    encode_payload(message, out);
    const std::size_t payload = out.size() - start - kFrameHeaderBytes;
    if (payload > kMaxFrameBytes) {
      throw std::length_error(type_name(static_cast<std::uint16_t>(type_of(message))) + " frame of " +
                              std::to_string(payload) + " bytes exceeds the " + std::to_string(kMaxFrameBytes) +
                              "-byte cap");
    }
    std::vector<std::uint8_t> length;
    detail::ByteWriter(length).u32(static_cast<std::uint32_t>(payload));
    std::copy(length.begin(), length.end(), out.begin() + static_cast<std::ptrdiff_t>(start));
  } catch (...) {
    out.resize(start);  // leave `out` as it was: a half-written frame would corrupt the stream
    throw;
  }
}

Message decode_payload(std::uint16_t type, const std::uint8_t* data, std::size_t size) {
  std::optional<Message> message;
  const bool known = with_message_type(type, [&](auto tag) {
    using M = typename decltype(tag)::type;
    M m;
    detail::FieldDecoder decoder(Fields<M>::kName, data, size);
    Fields<M>::visit(decoder, m);
    decoder.finish();
    message.emplace(std::move(m));
  });
  if (!known) throw ProtocolError(ProtocolError::Kind::UnknownType, "unknown message type " + std::to_string(type));
  return std::move(*message);
}

}  // namespace spstudio::wire
