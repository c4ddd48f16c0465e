// SPDX-License-Identifier: Apache-2.0
// GPT-2's reversible byte → printable character table that CLIP's BPE runs on: printable Latin-1
// bytes stand for themselves, the others (controls, space, ...) map to U+0100 onwards in byte order,
// so no BPE symbol is whitespace or a control character.
#pragma once

#include <array>
#include <string>

namespace spstudio::models {

/// The symbol (UTF-8) of each byte value.
const std::array<std::string, 256>& byte_level_symbols();
/// The bytes in CLIP's vocabulary order: printable ones ascending, then the others ascending
/// (vocab.json ids 0..255 are these symbols, 256..511 the same with `</w>`).
const std::array<unsigned char, 256>& byte_level_vocab_order();

}  // namespace spstudio::models
