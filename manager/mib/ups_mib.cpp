#include "manager/mib/ups_mib.h"

#include <algorithm>
#include <charconv>

#include "manager/mib/oids.h"

namespace netpower::manager::mib {

namespace {

std::optional<double> numeric(const Varbind& vb) {
  switch (vb.type) {
    case ValueType::kInteger:
      return static_cast<double>(vb.integer);
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks:
    case ValueType::kCounter64:
      return static_cast<double>(vb.number);
    default:
      return std::nullopt;
  }
}

}  // namespace

Applied apply_ups(UpsReading& ups, const Varbind& vb) {
  if (!snmp::starts_with(vb.oid, kUpsObjects) || snmp::is_exception(vb.type) ||
      vb.type == ValueType::kNull) {
    return Applied::kNotMine;
  }
  const Oid& o = vb.oid;
  const std::size_t b = kUpsObjects.size();
  auto at = [&](std::initializer_list<std::uint32_t> arcs) {
    if (o.size() != b + arcs.size()) return false;
    return std::equal(arcs.begin(), arcs.end(), o.begin() + static_cast<std::ptrdiff_t>(b));
  };
  // A column of a table whose entry is upsObjects.<group>.<table>.1: any index.
  auto column = [&](std::uint32_t group, std::uint32_t table, std::uint32_t col) {
    return o.size() > b + 4 && o[b] == group && o[b + 1] == table && o[b + 2] == 1 &&
           o[b + 3] == col;
  };
  const auto value = numeric(vb);
  // Divided rather than multiplied by 0.1: 41 / 10 is the double nearest 4.1, 41 * 0.1 is not.
  auto set = [&](const char* key, double multiplier, double divisor = 1) {
    if (value) ups.values[key] = *value * multiplier / divisor;
  };
  auto first = [&](const char* key, double multiplier, double divisor = 1) {
    if (value) ups.values.emplace(key, *value * multiplier / divisor);
  };
  if (at({1, 5, 0})) {
    if (vb.type == ValueType::kOctetString) ups.name = vb.octets;
  } else if (at({2, 1, 0})) {
    set("battery.status", 1);  // upsBatteryStatus: unknown(1) normal(2) low(3) depleted(4)
  } else if (at({2, 2, 0})) {
    set("ups.seconds_on_battery", 1);
  } else if (at({2, 3, 0})) {
    set("battery.runtime", 60);  // upsEstimatedMinutesRemaining
  } else if (at({2, 4, 0})) {
    set("battery.charge", 1);  // percent
  } else if (at({2, 5, 0})) {
    set("battery.voltage", 1, 10);  // 0.1 volt DC
  } else if (at({2, 6, 0})) {
    set("battery.current", 1, 10);  // 0.1 ampere DC
  } else if (at({2, 7, 0})) {
    set("battery.temperature", 1);
  } else if (column(3, 3, 2)) {
    first("input.frequency", 1, 10);  // 0.1 Hertz
  } else if (column(3, 3, 3)) {
    first("input.voltage", 1);
  } else if (column(3, 3, 4)) {
    first("input.current", 1, 10);  // 0.1 RMS amp
  } else if (column(3, 3, 5)) {
    first("input.realpower", 1);  // watts
  } else if (at({4, 1, 0})) {
    set("output.source", 1);  // other(1) none(2) normal(3) bypass(4) battery(5) booster(6) ...
  } else if (at({4, 2, 0})) {
    set("output.frequency", 1, 10);
  } else if (column(4, 4, 2)) {
    first("output.voltage", 1);
  } else if (column(4, 4, 3)) {
    first("output.current", 1, 10);
  } else if (column(4, 4, 4)) {
    first("output.realpower", 1);  // watts
  } else if (column(4, 4, 5)) {
    first("ups.load", 1);  // percent
  } else if (column(6, 2, 2)) {
    if (vb.type == ValueType::kOid &&
        std::find(ups.alarms.begin(), ups.alarms.end(), vb.octets) == ups.alarms.end()) {
      if (ups.alarms.size() >= kMaxUpsAlarms) return Applied::kRejected;
      ups.alarms.push_back(vb.octets);
    }
  }
  return Applied::kApplied;
}

void apply_ups_trap(UpsReading& ups, std::uint32_t which, const std::vector<Varbind>& varbinds) {
  for (const auto& vb : varbinds) {
    if (which == kUpsTrapAlarmEntryRemoved) {
      // upsAlarmDescr.<id> names the alarm that went away.
      if (vb.type == ValueType::kOid && snmp::starts_with(vb.oid, kUpsObjects)) {
        std::erase(ups.alarms, vb.octets);
        auto source = ups.values.find("output.source");
        if (vb.octets == kUpsAlarmOnBattery && source != ups.values.end() &&
            source->second == kOutputSourceBattery) {
          source->second = kOutputSourceNormal;
        }
      }
      continue;
    }
    apply_ups(ups, vb);
    if (which == kUpsTrapAlarmEntryAdded && vb.type == ValueType::kOid &&
        vb.octets == kUpsAlarmOnBattery) {
      ups.values["output.source"] = kOutputSourceBattery;
    }
  }
  if (which == kUpsTrapOnBattery) ups.values["output.source"] = kOutputSourceBattery;
}

std::string_view enum_name(std::span<const std::string_view> names, double value) {
  if (!(value >= 1) || value > static_cast<double>(names.size()) ||
      value != static_cast<int>(value)) {
    return {};
  }
  return names[static_cast<std::size_t>(value) - 1];
}

std::string_view ups_alarm_name(std::string_view alarm_oid) {
  constexpr std::string_view kPrefix = "1.3.6.1.2.1.33.1.6.3.";
  if (alarm_oid.starts_with(kPrefix)) {
    const std::string_view n = alarm_oid.substr(kPrefix.size());
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
    if (ec == std::errc() && ptr == n.data() + n.size() && value >= 1 &&
        value <= std::size(kWellKnownAlarmNames)) {
      return kWellKnownAlarmNames[value - 1];
    }
  }
  return alarm_oid;
}

}  // namespace netpower::manager::mib
