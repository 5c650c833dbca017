#include "manager/state/fleet_state.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "manager/poller/sentry2_samples.h"

namespace netpower::manager::state {

namespace {

using poller::Oid;
using poller::ValueType;
using poller::Varbind;

// Sentry2-MIB chain group (DESIGN.md, TABLE X of the patent).
const Oid kSentry2Chain = {1, 3, 6, 1, 4, 1, 1718, 2, 1};
const Oid kChainLocation0 = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 1, 0};
const Oid kBoardEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1};
const Oid kPortEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1};
enum BoardColumn : std::uint32_t {
  kPageName = 2,
  kCodeVersion = 3,
  kTemperature = 4,
  kInputLoad = 5
};
enum PortColumn : std::uint32_t {
  kDeviceName = 3,
  kControlStatus = 4,
  kModuleStatus = 5,
  kDeviceLoad = 6
};
const Oid kSentry2Events = {1, 3, 6, 1, 4, 1, 1718, 2, 100, 0};

// NETPOWER-MIB netpowerPortConfigEntry (agent/snmp/netpower_oids.h; the manager does not link the
// agent, so the arc is repeated here).
const Oid kNpPortEntry = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 3, 1};
constexpr std::uint32_t kNpPortGroup = 3;
constexpr std::uint32_t kNpPortLocked = 8;  // TruthValue: true(1), false(2)

// UPS-MIB (RFC 1628) upsObjects and its notifications.
const Oid kUpsObjects = {1, 3, 6, 1, 2, 1, 33, 1};
const Oid kUpsTraps = {1, 3, 6, 1, 2, 1, 33, 2};
constexpr std::uint32_t kUpsTrapOnBattery = 1;
constexpr std::uint32_t kUpsTrapAlarmEntryAdded = 3;
constexpr std::uint32_t kUpsTrapAlarmEntryRemoved = 4;
constexpr const char* kUpsAlarmOnBattery = "1.3.6.1.2.1.33.1.6.3.2";
constexpr double kOutputSourceNormal = 3;
constexpr double kOutputSourceBattery = 5;

bool is_string(const Varbind& vb) { return vb.type == ValueType::kOctetString; }

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

// Fixed-size string indexes: one arc per character, no length arc ("A1" = .65.49).
std::optional<std::string> index_text(const Oid& oid, std::size_t from, std::size_t length) {
  if (oid.size() != from + length) return std::nullopt;
  std::string out;
  for (std::size_t i = from; i < oid.size(); ++i) {
    if (oid[i] < 0x21 || oid[i] > 0x7e) return std::nullopt;
    out.push_back(static_cast<char>(oid[i]));
  }
  return out;
}

// Rows are kept sorted by id, which is chain order ("A1" < "A2" < ... < "B1").
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

std::optional<double> parse_with_unit(const std::string& text, std::string_view unit) {
  std::string_view trimmed = text;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (!trimmed.ends_with(unit)) return std::nullopt;
  return poller::parse_sentry2_number(text);
}

// What a poll or a trap says about the chain.
struct Chain {
  std::optional<std::string> location;
  std::vector<BoardState> boards;
  std::vector<PortState> ports;
};

void apply_board_column(BoardState& board, std::uint32_t column, const Varbind& vb) {
  switch (column) {
    case kPageName:
      board.page_name = vb.octets;
      break;
    case kCodeVersion:
      board.code_version = vb.octets;
      break;
    case kTemperature:
      board.temperature_c = parse_with_unit(vb.octets, "Deg C");
      break;
    case kInputLoad:
      board.input_load_amps = parse_with_unit(vb.octets, "A");
      break;
    default:
      break;
  }
}

void apply_port_column(PortState& port, std::uint32_t column, const Varbind& vb) {
  switch (column) {
    case kDeviceName:
      port.name = vb.octets;
      break;
    case kControlStatus:
      port.control = vb.octets;
      break;
    case kModuleStatus:
      port.module = vb.octets;
      break;
    case kDeviceLoad:
      port.load_text = vb.octets;
      port.load_amps =
          vb.octets == "Not On" ? std::optional<double>(0.0) : parse_with_unit(vb.octets, "A");
      break;
    default:
      break;
  }
}

// A Sentry2 chain-group varbind (poll or trap) into `chain`. Other OIDs are ignored; so are values
// of the wrong type (an exception, a number where a DisplayString belongs).
void apply_sentry2(Chain& chain, const Varbind& vb, model::WallTime time) {
  if (!is_string(vb) || !poller::starts_with(vb.oid, kSentry2Chain)) return;
  const std::size_t column_at = kBoardEntry.size();  // same depth for both tables
  if (vb.oid == kChainLocation0) {
    chain.location = vb.octets;
  } else if (vb.oid.size() > column_at && poller::starts_with(vb.oid, kBoardEntry)) {
    if (auto id = index_text(vb.oid, column_at + 1, 1)) {
      apply_board_column(row(chain.boards, *id), vb.oid[column_at], vb);
    }
  } else if (vb.oid.size() > column_at && poller::starts_with(vb.oid, kPortEntry)) {
    if (auto id = index_text(vb.oid, column_at + 1, 2)) {
      auto& port = row(chain.ports, *id);
      apply_port_column(port, vb.oid[column_at], vb);
      port.updated = time;
    }
  }
}

void apply_netpower(Chain& chain, const Varbind& vb, model::WallTime time) {
  const std::size_t column_at = kNpPortEntry.size();
  if (vb.oid.size() <= column_at || !poller::starts_with(vb.oid, kNpPortEntry)) return;
  const auto id = index_text(vb.oid, column_at + 1, 2);
  if (!id) return;
  const std::uint32_t column = vb.oid[column_at];
  if (column == kNpPortGroup && is_string(vb)) {
    auto& port = row(chain.ports, *id);
    port.group = vb.octets;
    port.updated = time;
  } else if (column == kNpPortLocked && vb.type == ValueType::kInteger) {
    auto& port = row(chain.ports, *id);
    port.locked = vb.integer == 1   ? std::optional<bool>(true)
                  : vb.integer == 2 ? std::optional<bool>(false)
                                    : std::nullopt;
    port.updated = time;
  }
}

// One UPS-MIB varbind into `ups`, converted to base units. Table columns take the first line
// (the first row the walk returns); scalars overwrite. True when the OID is a UPS-MIB object.
bool apply_ups(UpsState& ups, const Varbind& vb) {
  if (!poller::starts_with(vb.oid, kUpsObjects) || poller::is_exception(vb.type) ||
      vb.type == ValueType::kNull) {
    return false;
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
    if (is_string(vb)) ups.name = vb.octets;
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
    first("output.power", 1);  // watts
  } else if (column(4, 4, 5)) {
    first("ups.load", 1);  // percent
  } else if (column(6, 2, 2)) {
    if (vb.type == ValueType::kOid &&
        std::find(ups.alarms.begin(), ups.alarms.end(), vb.octets) == ups.alarms.end()) {
      ups.alarms.push_back(vb.octets);
    }
  }
  return true;
}

Reachability from_poller(poller::AgentState s) {
  switch (s) {
    case poller::AgentState::kUp:
      return Reachability::kUp;
    case poller::AgentState::kDown:
      return Reachability::kDown;
    default:
      return Reachability::kUnknown;
  }
}

void set_reachability(AgentState& a, Reachability r, model::WallTime since) {
  if (a.reachability == r) return;
  a.reachability = r;
  a.reachability_since = since;
}

}  // namespace

const char* to_string(Reachability r) {
  switch (r) {
    case Reachability::kUp:
      return "up";
    case Reachability::kDown:
      return "down";
    default:
      return "unknown";
  }
}

FleetState::FleetState(const std::vector<config::AgentSettings>& agents, std::size_t recent_events)
    : events_max_(recent_events) {
  agents_.reserve(agents.size());
  for (const auto& settings : agents) {
    if (index_.contains(settings.name)) continue;  // the configuration refuses duplicates
    AgentState a;
    a.name = settings.name;
    a.address = settings.address;
    a.port = settings.port;
    a.labels = settings.labels;
    index_.emplace(a.name, agents_.size());
    agents_.push_back(std::move(a));
  }
}

AgentState* FleetState::find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &agents_[it->second];
}

void FleetState::apply_poll(const poller::PollResult& result) {
  // Parse before taking the lock: readers are never held up by the parsing.
  Chain chain;
  UpsState ups;
  bool has_ups = false;  // any UPS-MIB value (not only noSuchObject): the agent serves it
  if (result.ok()) {
    for (const auto& vb : result.varbinds) {
      apply_sentry2(chain, vb, result.started);
      apply_netpower(chain, vb, result.started);
      has_ups = apply_ups(ups, vb) || has_ups;
    }
  }
  std::unique_lock lock(mutex_);
  AgentState* a = find(result.agent);
  if (a == nullptr) return;
  ++version_;
  ++a->polls_total;
  a->last_poll = result.started;
  a->poll_duration_seconds = std::chrono::duration<double>(result.duration).count();
  a->varbinds_last_poll = result.varbinds.size();
  const model::WallTime ended = result.started + result.duration;
  if (!result.ok()) {
    // The last known values stay (stale, not wiped): up/down says whether they are current.
    ++a->poll_failures_total;
    a->last_error = result.error_text.empty() ? poller::to_string(result.error) : result.error_text;
    set_reachability(*a, Reachability::kDown, ended);
    return;
  }
  a->last_error.clear();
  set_reachability(*a, Reachability::kUp, ended);
  a->location = chain.location.value_or(std::string());
  a->boards = std::move(chain.boards);
  a->ports = std::move(chain.ports);
  if (has_ups) {
    a->ups = std::move(ups);
  } else {
    a->ups.reset();
  }
}

void FleetState::apply_state_change(const poller::StateChange& change) {
  std::unique_lock lock(mutex_);
  AgentState* a = find(change.agent);
  if (a == nullptr) return;
  ++version_;
  a->reachability = from_poller(change.to);
  a->reachability_since = change.time;
}

void FleetState::apply_trap(const traps::DecodedTrap& trap) {
  // The varbinds are the SNMP library's, as a poll's are: applied as they are.
  const std::vector<Varbind>& varbinds = trap.varbinds;
  const auto trap_oid = poller::parse_oid(trap.trap_oid);
  const bool sentry2 = trap_oid && poller::starts_with(*trap_oid, kSentry2Events);
  const bool ups_trap = trap_oid && trap_oid->size() == kUpsTraps.size() + 1 &&
                        poller::starts_with(*trap_oid, kUpsTraps);

  std::unique_lock lock(mutex_);
  ++version_;
  AgentState* a = find(trap.agent);
  if (a == nullptr) {
    ++unknown_traps_;
    return;
  }
  ++a->traps_total;
  a->last_trap = trap.received;

  if (sentry2) {
    // The trap's objects update the rows they name at once, as a poll would; rows not yet polled
    // are added.
    Chain chain{std::nullopt, std::move(a->boards), std::move(a->ports)};
    for (const auto& vb : varbinds) apply_sentry2(chain, vb, trap.received);
    if (chain.location) a->location = std::move(*chain.location);
    a->boards = std::move(chain.boards);
    a->ports = std::move(chain.ports);
  } else if (ups_trap) {
    if (!a->ups) a->ups.emplace();
    UpsState& ups = *a->ups;
    const std::uint32_t which = trap_oid->back();
    for (const auto& vb : varbinds) {
      if (which == kUpsTrapAlarmEntryRemoved) {
        // upsAlarmDescr.<id> names the alarm that went away.
        if (vb.type == ValueType::kOid && poller::starts_with(vb.oid, kUpsObjects)) {
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
}

void FleetState::add_event(const model::Event& event) {
  std::unique_lock lock(mutex_);
  ++version_;
  if (events_max_ == 0) return;
  if (events_.size() < events_max_) {
    events_.push_back(event);
  } else {
    events_[events_next_] = event;
  }
  events_next_ = (events_next_ + 1) % events_max_;
}

void FleetState::visit(const std::function<void(const AgentState&)>& fn) const {
  std::shared_lock lock(mutex_);
  for (const auto& a : agents_) fn(a);
}

std::vector<AgentState> FleetState::agents() const {
  std::shared_lock lock(mutex_);
  return agents_;
}

std::optional<AgentState> FleetState::agent(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return agents_[it->second];
}

std::vector<model::Event> FleetState::recent_events(std::size_t max,
                                                    const std::string& agent) const {
  std::shared_lock lock(mutex_);
  std::vector<model::Event> out;
  const std::size_t n = events_.size();
  // events_next_ is the oldest slot once the ring is full, and one past the newest in any case.
  for (std::size_t k = 1; k <= n && out.size() < max; ++k) {
    const auto& e = events_[(events_next_ + events_max_ - k) % events_max_];
    if (agent.empty() || e.agent == agent) out.push_back(e);
  }
  return out;
}

std::uint64_t FleetState::unknown_source_traps() const {
  std::shared_lock lock(mutex_);
  return unknown_traps_;
}

std::uint64_t FleetState::version() const {
  std::shared_lock lock(mutex_);
  return version_;
}

}  // namespace netpower::manager::state
