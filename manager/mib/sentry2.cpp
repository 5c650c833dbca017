#include "manager/mib/sentry2.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "manager/mib/oids.h"

namespace netpower::manager::mib {

namespace {

template <typename Row>
Row& row(std::vector<Row>& rows, const std::string& id) {
  auto it = std::lower_bound(rows.begin(), rows.end(), id,
                             [](const Row& r, const std::string& key) { return r.id < key; });
  if (it == rows.end() || it->id != id) {
    it = rows.insert(it, Row{});
    it->id = id;
  }
  return *it;
}

void apply_board_column(BoardReading& board, std::uint32_t column, const Varbind& vb) {
  switch (column) {
    case kBoardPageName:
      board.page_name = vb.octets;
      break;
    case kBoardCodeVersion:
      board.code_version = vb.octets;
      break;
    case kBoardTemperature:
      board.temperature_c = parse_sentry2_quantity(vb.octets, "Deg C");
      break;
    case kBoardInputLoad:
      board.input_load_amps = parse_sentry2_quantity(vb.octets, "A");
      break;
    default:
      break;
  }
}

void apply_port_column(PortReading& port, std::uint32_t column, const Varbind& vb) {
  switch (column) {
    case kPortDeviceName:
      port.name = vb.octets;
      break;
    case kPortControlStatus:
      port.control = vb.octets;
      break;
    case kPortModuleStatus:
      port.module = vb.octets;
      break;
    case kPortDeviceLoad:
      port.load_text = vb.octets;
      port.load_amps = parse_sentry2_quantity(vb.octets, "A");
      break;
    default:
      break;
  }
}

}  // namespace

std::optional<double> parse_sentry2_number(std::string_view text) {
  if (text == "Not On") return 0.0;
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string_view unit;
  if (text.ends_with("Deg C")) {
    unit = "Deg C";
  } else if (text.ends_with("A")) {
    unit = "A";
  } else {
    return std::nullopt;
  }
  text.remove_suffix(unit.size());
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_sentry2_quantity(std::string_view text, std::string_view unit) {
  if (text == "Not On") return unit == "A" ? std::optional<double>(0.0) : std::nullopt;
  std::string_view trimmed = text;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (!trimmed.ends_with(unit)) return std::nullopt;
  return parse_sentry2_number(text);
}

std::optional<std::string> fixed_index(const Oid& oid, std::size_t from, std::size_t length) {
  if (oid.size() != from + length) return std::nullopt;
  std::string out;
  for (std::size_t i = from; i < oid.size(); ++i) {
    if (oid[i] < 0x21 || oid[i] > 0x7e) return std::nullopt;
    out.push_back(static_cast<char>(oid[i]));
  }
  return out;
}

std::optional<std::string> board_id(const Oid& oid, std::size_t from) {
  auto id = fixed_index(oid, from, 1);
  if (!id || (*id)[0] < 'A' || (*id)[0] > 'Z') return std::nullopt;
  return id;
}

std::optional<std::string> port_id(const Oid& oid, std::size_t from) {
  auto id = fixed_index(oid, from, 2);
  if (!id || (*id)[0] < 'A' || (*id)[0] > 'Z' || (*id)[1] < '1' || (*id)[1] > '4') {
    return std::nullopt;
  }
  return id;
}

PortReading& port_row(ChainReading& chain, const std::string& id) { return row(chain.ports, id); }
BoardReading& board_row(ChainReading& chain, const std::string& id) {
  return row(chain.boards, id);
}

Applied apply_sentry2(ChainReading& chain, const Varbind& vb, model::WallTime time) {
  if (!snmp::starts_with(vb.oid, kSentry2Chain)) return Applied::kNotMine;
  const std::size_t column_at = kSentry2BoardEntry.size();  // same depth for both tables
  if (vb.oid.size() > column_at && snmp::starts_with(vb.oid, kSentry2BoardEntry)) {
    const auto id = board_id(vb.oid, column_at + 1);
    if (!id) return Applied::kRejected;
    if (vb.type == ValueType::kOctetString) {
      apply_board_column(board_row(chain, *id), vb.oid[column_at], vb);
    }
  } else if (vb.oid.size() > column_at && snmp::starts_with(vb.oid, kSentry2PortEntry)) {
    const auto id = port_id(vb.oid, column_at + 1);
    if (!id) return Applied::kRejected;
    if (vb.type == ValueType::kOctetString) {
      auto& port = port_row(chain, *id);
      apply_port_column(port, vb.oid[column_at], vb);
      port.updated = time;
    }
  } else if (vb.oid == kSentry2ChainLocation0 && vb.type == ValueType::kOctetString) {
    chain.location = vb.octets;
  }
  return Applied::kApplied;
}

Applied apply_netpower(ChainReading& chain, const Varbind& vb, model::WallTime time) {
  const std::size_t column_at = kNetpowerPortEntry.size();
  if (vb.oid.size() <= column_at || !snmp::starts_with(vb.oid, kNetpowerPortEntry)) {
    return Applied::kNotMine;
  }
  const auto id = port_id(vb.oid, column_at + 1);
  if (!id) return Applied::kRejected;
  const std::uint32_t column = vb.oid[column_at];
  if (column == kNpPortGroup && vb.type == ValueType::kOctetString) {
    auto& port = port_row(chain, *id);
    port.group = vb.octets;
    port.updated = time;
  } else if (column == kNpPortLocked && vb.type == ValueType::kInteger) {
    auto& port = port_row(chain, *id);
    port.locked = vb.integer == 1   ? std::optional<bool>(true)
                  : vb.integer == 2 ? std::optional<bool>(false)
                                    : std::nullopt;
    port.updated = time;
  }
  return Applied::kApplied;
}

std::optional<bool> relay_on(std::string_view control) {
  for (std::string_view on : {"On", "Shutdown", "Pend Off", "Pend Reboot"}) {
    if (control == on) return true;
  }
  for (std::string_view off : {"Off", "Reboot", "Pend On"}) {
    if (control == off) return false;
  }
  return std::nullopt;
}

std::uint64_t apply_sentry2_notification(ChainReading& chain, const std::vector<Varbind>& varbinds,
                                         model::WallTime time) {
  std::uint64_t rejected = 0;
  std::vector<std::string> switched_off;  // ports whose control this notification set to off
  std::vector<std::string> with_load;     // ports whose load it carried
  const std::size_t column_at = kSentry2PortEntry.size();
  for (const auto& vb : varbinds) {
    const auto applied = apply_sentry2(chain, vb, time);
    if (applied == Applied::kRejected) ++rejected;
    if (applied != Applied::kApplied || vb.type != ValueType::kOctetString ||
        vb.oid.size() <= column_at || !snmp::starts_with(vb.oid, kSentry2PortEntry)) {
      continue;
    }
    const auto id = port_id(vb.oid, column_at + 1);
    if (!id) continue;
    if (vb.oid[column_at] == kPortControlStatus && relay_on(vb.octets) == false) {
      switched_off.push_back(*id);
    } else if (vb.oid[column_at] == kPortDeviceLoad) {
      with_load.push_back(*id);
    }
  }
  for (const auto& id : switched_off) {
    if (std::find(with_load.begin(), with_load.end(), id) != with_load.end()) continue;
    auto& port = port_row(chain, id);
    if (port.load_text == "N/A") continue;  // no sensor: still no reading
    port.load_text = "Not On";
    port.load_amps = 0.0;
  }
  return rejected;
}

}  // namespace netpower::manager::mib
