#include "agent/snmp/sentry2_index.h"

namespace netpower::agent::snmp {

Oid board_index(core::BoardId board) { return {static_cast<oid>(board.letter())}; }

Oid port_index(core::PortId port) {
  return {static_cast<oid>(port.board.letter()), static_cast<oid>('0' + port.number)};
}

std::optional<core::BoardId> decode_board_index(const oid* index, std::size_t len) {
  if (len != 1 || index[0] < 'A' || index[0] > 'Z') return std::nullopt;
  return core::BoardId{static_cast<int>(index[0] - 'A')};
}

std::optional<core::PortId> decode_port_index(const oid* index, std::size_t len) {
  if (len != 2) return std::nullopt;
  auto board = decode_board_index(index, 1);
  if (!board || index[1] < '1' || index[1] > '4') return std::nullopt;
  return core::PortId{*board, static_cast<int>(index[1] - '0')};
}

}  // namespace netpower::agent::snmp
