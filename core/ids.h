#pragma once
// Names of the patent's chain: boards A..Z, ports 1..4 on each ("absolute names" .C and .C3).

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace netpower::core {

inline constexpr int kMaxBoards = 26;
inline constexpr int kPortsPerBoard = 4;
inline constexpr int kMaxPorts = kMaxBoards * kPortsPerBoard;

struct BoardId {
  int index = 0;  // 0 = A .. 25 = Z

  char letter() const { return static_cast<char>('A' + index); }
  std::string str() const { return std::string(1, letter()); }
  // "A".."Z" or ".A"..".Z"; case-sensitive as in the MIB (upper case only).
  static std::optional<BoardId> parse(std::string_view text);
  auto operator<=>(const BoardId&) const = default;
};

struct PortId {
  BoardId board;
  int number = 1;  // 1..4

  // Position in the chain: A1 = 0, A4 = 3, B1 = 4 ... Z4 = 103.
  int flat() const { return board.index * kPortsPerBoard + (number - 1); }
  static PortId from_flat(int flat) {
    return PortId{BoardId{flat / kPortsPerBoard}, flat % kPortsPerBoard + 1};
  }
  std::string str() const { return board.str() + static_cast<char>('0' + number); }
  // "A1".."Z4" or ".A1"..".Z4".
  static std::optional<PortId> parse(std::string_view text);
  auto operator<=>(const PortId&) const = default;
};

}  // namespace netpower::core
