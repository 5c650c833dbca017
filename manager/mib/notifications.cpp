#include "manager/mib/notifications.h"

#include "manager/mib/oids.h"
#include "manager/mib/sentry2.h"

namespace netpower::manager::mib {

namespace {

struct KnownNotification {
  std::string_view oid;
  const char* name;
};

// Sentry2-MIB (the patent's TABLE X), UPS-MIB (RFC 1628), SNMPv2-MIB generic traps (RFC 3418).
constexpr KnownNotification kKnown[] = {
    {"1.3.6.1.4.1.1718.2.100.0.1", "sentry2ChainStart"},
    {"1.3.6.1.4.1.1718.2.100.0.2", "sentry2BoardTemperatureHighError"},
    {"1.3.6.1.4.1.1718.2.100.0.3", "sentry2BoardTemperatureLowError"},
    {"1.3.6.1.4.1.1718.2.100.0.4", "sentry2BoardTemperatureNormal"},
    {"1.3.6.1.4.1.1718.2.100.0.5", "sentry2PortControlStatusChange"},
    {"1.3.6.1.4.1.1718.2.100.0.6", "sentry2PortModuleStatusError"},
    {"1.3.6.1.4.1.1718.2.100.0.7", "sentry2PortModuleStatusNormal"},
    {"1.3.6.1.4.1.1718.2.100.0.8", "sentry2PortDeviceLoadHighError"},
    {"1.3.6.1.4.1.1718.2.100.0.9", "sentry2PortDeviceLoadLowError"},
    {"1.3.6.1.4.1.1718.2.100.0.10", "sentry2PortDeviceLoadNormal"},
    {"1.3.6.1.4.1.1718.2.100.0.11", "sentry2BoardInputLoadHighError"},
    {"1.3.6.1.4.1.1718.2.100.0.12", "sentry2BoardInputLoadLowError"},
    {"1.3.6.1.4.1.1718.2.100.0.13", "sentry2BoardInputLoadNormal"},
    {"1.3.6.1.2.1.33.2.1", "upsTrapOnBattery"},
    {"1.3.6.1.2.1.33.2.2", "upsTrapTestCompleted"},
    {"1.3.6.1.2.1.33.2.3", "upsTrapAlarmEntryAdded"},
    {"1.3.6.1.2.1.33.2.4", "upsTrapAlarmEntryRemoved"},
    {"1.3.6.1.6.3.1.1.5.1", "coldStart"},
    {"1.3.6.1.6.3.1.1.5.2", "warmStart"},
    {"1.3.6.1.6.3.1.1.5.3", "linkDown"},
    {"1.3.6.1.6.3.1.1.5.4", "linkUp"},
    {"1.3.6.1.6.3.1.1.5.5", "authenticationFailure"},
    {"1.3.6.1.6.3.1.1.5.6", "egpNeighborLoss"},
};

struct CrossingKind {
  unsigned number;  // under sentry2Events
  bool board;
  const char* quantity;
  const char* crossing;
  std::uint32_t column;  // of the board or port table: the varbind carrying the value
};

constexpr CrossingKind kCrossings[] = {
    {kBoardTemperatureHighError, true, "temperature", "high", kBoardTemperature},
    {kBoardTemperatureLowError, true, "temperature", "low", kBoardTemperature},
    {kBoardTemperatureNormal, true, "temperature", "normal", kBoardTemperature},
    {kPortDeviceLoadHighError, false, "device load", "high", kPortDeviceLoad},
    {kPortDeviceLoadLowError, false, "device load", "low", kPortDeviceLoad},
    {kPortDeviceLoadNormal, false, "device load", "normal", kPortDeviceLoad},
    {kBoardInputLoadHighError, true, "input load", "high", kBoardInputLoad},
    {kBoardInputLoadLowError, true, "input load", "low", kBoardInputLoad},
    {kBoardInputLoadNormal, true, "input load", "normal", kBoardInputLoad},
};

// The number n of sentry2Events.n, or nullopt.
std::optional<unsigned> sentry2_event(std::string_view oid) {
  if (oid.size() <= kSentry2EventsText.size() + 1 || !oid.starts_with(kSentry2EventsText) ||
      oid[kSentry2EventsText.size()] != '.') {
    return std::nullopt;
  }
  unsigned number = 0;
  for (char ch : oid.substr(kSentry2EventsText.size() + 1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    number = number * 10 + static_cast<unsigned>(ch - '0');
    if (number > 1000) return std::nullopt;
  }
  return number;
}

// The first varbind under `column` of the board or port table.
const Varbind* column_varbind(const std::vector<Varbind>& varbinds, bool board,
                              std::uint32_t column) {
  Oid prefix = board ? kSentry2BoardEntry : kSentry2PortEntry;
  prefix.push_back(column);
  for (const auto& vb : varbinds) {
    if (snmp::starts_with(vb.oid, prefix) && vb.oid.size() > prefix.size()) return &vb;
  }
  return nullptr;
}

// The printable index after the column ("A1", "C"); "" when it is not printable ASCII.
std::string index_after(const Oid& oid, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < oid.size(); ++i) {
    if (oid[i] < 0x20 || oid[i] > 0x7e) return {};
    out += static_cast<char>(oid[i]);
  }
  return out;
}

}  // namespace

const char* notification_name(std::string_view trap_oid) {
  for (const auto& k : kKnown) {
    if (k.oid == trap_oid) return k.name;
  }
  return nullptr;
}

std::string ThresholdCrossing::text() const {
  std::string subject =
      std::string(board ? "board " : "port ") + (object.empty() ? "?" : object) + " " + quantity;
  std::string out;
  if (std::string_view(crossing) == "normal") {
    out = subject + " back within its limits";
  } else {
    out = subject + " " +
          (std::string_view(crossing) == "high" ? "above its high limit" : "below its low limit");
  }
  if (!value.empty()) out += ": " + value;
  return out;
}

std::optional<ThresholdCrossing> threshold_crossing(std::string_view trap_oid,
                                                    const std::vector<Varbind>& varbinds) {
  const auto number = sentry2_event(trap_oid);
  if (!number) return std::nullopt;
  const CrossingKind* kind = nullptr;
  for (const auto& k : kCrossings) {
    if (k.number == *number) kind = &k;
  }
  if (kind == nullptr) return std::nullopt;
  ThresholdCrossing out;
  out.board = kind->board;
  out.quantity = kind->quantity;
  out.crossing = kind->crossing;
  if (const auto* vb = column_varbind(varbinds, kind->board, kind->column)) {
    out.object = index_after(vb->oid, kSentry2BoardEntry.size() + 1);
    out.value = vb->octets;
  }
  return out;
}

std::optional<PortControlChange> port_control_change(std::string_view trap_oid,
                                                     const std::vector<Varbind>& varbinds) {
  if (trap_oid != kSentry2PortControlStatusChangeText) return std::nullopt;
  const auto* vb = column_varbind(varbinds, false, kPortControlStatus);
  if (vb == nullptr || vb->type != ValueType::kOctetString) return std::nullopt;
  // The index is the port id without a length byte: "A1" = .65.49.
  const auto port = port_id(vb->oid, kSentry2PortEntry.size() + 1);
  if (!port) return std::nullopt;
  return PortControlChange{*port, vb->octets};
}

}  // namespace netpower::manager::mib
