#include "core/ids.h"

namespace netpower::core {

namespace {
std::string_view strip_dot(std::string_view text) {
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);
  return text;
}
}  // namespace

std::optional<BoardId> BoardId::parse(std::string_view text) {
  text = strip_dot(text);
  if (text.size() != 1 || text[0] < 'A' || text[0] > 'Z') return std::nullopt;
  return BoardId{text[0] - 'A'};
}

std::optional<PortId> PortId::parse(std::string_view text) {
  text = strip_dot(text);
  if (text.size() != 2) return std::nullopt;
  auto board = BoardId::parse(text.substr(0, 1));
  if (!board || text[1] < '1' || text[1] > '4') return std::nullopt;
  return PortId{*board, text[1] - '0'};
}

}  // namespace netpower::core
