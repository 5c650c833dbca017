#include "manager/exporter/exporter.h"

#include <prometheus/text_serializer.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <span>
#include <utility>

namespace netpower::manager::exporter {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using state::AgentState;
using state::BoardState;
using state::PortState;
using state::UpsState;

// ---- The families, in exposition order ----------------------------------------------------------

enum class F : std::size_t {
  kAgentInfo,
  kAgentUp,
  kAgentPollDuration,
  kAgentLastPoll,
  kAgentPollVarbinds,
  kAgentPolls,
  kAgentPollFailures,
  kAgentTraps,
  kAgentLastTrap,
  kBoardInfo,
  kBoardTemperature,
  kBoardInputLoad,
  kPortLoad,
  kPortPowerOn,
  kPortControlState,
  kPortModuleStatus,
  kPortLocked,
  kUpsBatteryStatus,
  kUpsBatteryCharge,
  kUpsBatteryRuntime,
  kUpsBatteryVoltage,
  kUpsBatteryCurrent,
  kUpsBatteryTemperature,
  kUpsOnBattery,
  kUpsTimeOnBattery,
  kUpsOutputSource,
  kUpsInputVoltage,
  kUpsInputFrequency,
  kUpsInputCurrent,
  kUpsInputPower,
  kUpsOutputVoltage,
  kUpsOutputFrequency,
  kUpsOutputCurrent,
  kUpsOutputPower,
  kUpsOutputLoad,
  kUpsAlarms,
  kUpsAlarm,
  kPollerAgents,
  kPollerPolls,
  kPollerPollFailures,
  kPollerRequests,
  kPollerRetries,
  kPollerVarbinds,
  kPollerResponses,
  kPollerUnmatched,
  kPollerMalformed,
  kPollerBadDigest,
  kPollerOverruns,
  kTrapsReceived,
  kTrapsDecoded,
  kTrapsMalformed,
  kTrapsUnauthenticated,
  kTrapsDiscovery,
  kTrapsDropped,
  kTrapsInformsAnswered,
  kTrapsQueueFullWaits,
  kTrapsUnknownSource,
  kStoreConnected,
  kStoreDownSince,
  kStorePendingRows,
  kStoreMemoryBatches,
  kStoreMemoryRows,
  kStoreSpoolBatches,
  kStoreSpoolRows,
  kStoreSpoolBytes,
  kStoreQueuedRows,
  kStoreSamplesWritten,
  kStoreEventsWritten,
  kStoreBatchesWritten,
  kStoreBatchesSpooled,
  kStoreRowsReplayed,
  kStoreDuplicateBatches,
  kStoreRowsDropped,
  kStoreWriteFailures,
  kStoreConnectFailures,
  kStoreCorruptSpoolFiles,
  kStoreRetentionRuns,
  kCount
};

struct FamilySpec {
  const char* name;
  MetricType type;
  const char* help;
};

constexpr MetricType G = MetricType::Gauge;
constexpr MetricType C = MetricType::Counter;

// docs/metrics.md describes the same; keep them together.
constexpr std::array<FamilySpec, static_cast<std::size_t>(F::kCount)> kFamilies = {{
    {"netpower_agent_info", G,
     "Configured agent: always 1, with its address, SNMP port and chain location as labels."},
    {"netpower_agent_up", G,
     "1 when the agent's last poll succeeded, 0 when it failed or no poll has finished yet."},
    {"netpower_agent_poll_duration_seconds", G,
     "Duration of the agent's last poll, first request to last response."},
    {"netpower_agent_last_poll_timestamp_seconds", G,
     "Start of the agent's last poll, seconds since the Unix epoch."},
    {"netpower_agent_poll_varbinds", G, "Variable bindings returned by the agent's last poll."},
    {"netpower_agent_polls_total", C, "Polls of the agent that finished, failed ones included."},
    {"netpower_agent_poll_failures_total", C, "Polls of the agent that failed."},
    {"netpower_agent_traps_total", C, "Notifications received from the agent."},
    {"netpower_agent_last_trap_timestamp_seconds", G,
     "When the agent's last notification was received, seconds since the Unix epoch."},
    {"netpower_board_info", G, "Sentry2 board: always 1, with its code version as a label."},
    {"netpower_board_temperature_celsius", G,
     "Board temperature probe (sentry2BoardTemperature); absent without a probe."},
    {"netpower_board_input_load_amperes", G,
     "Board input current (sentry2BoardInputLoad); absent without a sensor."},
    {"netpower_port_load_amperes", G,
     "Port device load (sentry2PortDeviceLoad); 0 when the port is off, absent without a sensor."},
    {"netpower_port_power_on", G,
     "1 when the port's relay is on (control status On, Shutdown, Pend Off, Pend Reboot), 0 when "
     "off (Off, Reboot, Pend On)."},
    {"netpower_port_control_state", G,
     "Port control status (sentry2PortControlStatus): 1 for the current state, 0 for the others."},
    {"netpower_port_module_status", G,
     "Port module status (sentry2PortModuleStatus): 1 for the current status, 0 for the others."},
    {"netpower_port_locked", G, "1 when the port is locked against remote changes (NETPOWER-MIB)."},
    {"netpower_ups_battery_status", G,
     "UPS battery status (upsBatteryStatus): 1 for the current status, 0 for the others."},
    {"netpower_ups_battery_charge_ratio", G,
     "Estimated battery charge remaining, 0..1 (upsEstimatedChargeRemaining)."},
    {"netpower_ups_battery_runtime_seconds", G,
     "Estimated run time on battery (upsEstimatedMinutesRemaining)."},
    {"netpower_ups_battery_voltage_volts", G, "Battery voltage (upsBatteryVoltage)."},
    {"netpower_ups_battery_current_amperes", G, "Battery current (upsBatteryCurrent)."},
    {"netpower_ups_battery_temperature_celsius", G, "Battery temperature (upsBatteryTemperature)."},
    {"netpower_ups_on_battery", G,
     "1 when the UPS output is fed by its battery (upsOutputSource)."},
    {"netpower_ups_time_on_battery_seconds", G,
     "Time since the UPS switched to battery, 0 on mains (upsSecondsOnBattery)."},
    {"netpower_ups_output_source", G,
     "UPS output source (upsOutputSource): 1 for the current source, 0 for the others."},
    {"netpower_ups_input_voltage_volts", G, "UPS input voltage, first input line."},
    {"netpower_ups_input_frequency_hertz", G, "UPS input frequency, first input line."},
    {"netpower_ups_input_current_amperes", G, "UPS input current, first input line."},
    {"netpower_ups_input_power_watts", G, "UPS input true power, first input line."},
    {"netpower_ups_output_voltage_volts", G, "UPS output voltage, first output line."},
    {"netpower_ups_output_frequency_hertz", G, "UPS output frequency."},
    {"netpower_ups_output_current_amperes", G, "UPS output current, first output line."},
    {"netpower_ups_output_power_watts", G, "UPS output true power, first output line."},
    {"netpower_ups_output_load_ratio", G,
     "UPS output load as a fraction of its capacity, first output line (upsOutputPercentLoad)."},
    {"netpower_ups_alarms", G, "Alarms present on the UPS (rows of upsAlarmTable)."},
    {"netpower_ups_alarm", G, "1 for each alarm present on the UPS (upsAlarmDescr)."},
    {"netpower_poller_agents", G, "Agents of the poller by reachability."},
    {"netpower_poller_polls_total", C, "Polls finished by the poller, all agents."},
    {"netpower_poller_poll_failures_total", C, "Polls that failed, all agents."},
    {"netpower_poller_requests_total", C, "SNMP requests sent, retries included."},
    {"netpower_poller_retries_total", C, "SNMP requests resent after a timeout."},
    {"netpower_poller_varbinds_total", C, "Variable bindings received in responses."},
    {"netpower_poller_responses_total", C, "SNMP responses matched to a request."},
    {"netpower_poller_unmatched_responses_total", C,
     "Responses dropped: late, duplicate or unknown request id."},
    {"netpower_poller_malformed_responses_total", C, "Responses that were not valid SNMP."},
    {"netpower_poller_bad_digest_responses_total", C,
     "SNMPv3 responses dropped for a wrong authentication digest."},
    {"netpower_poller_overruns_total", C,
     "Polls started late because the previous poll of the agent ran past its interval."},
    {"netpower_traps_received_total", C, "Datagrams read by the trap receiver."},
    {"netpower_traps_decoded_total", C, "Notifications accepted (decoded and authenticated)."},
    {"netpower_traps_malformed_total", C,
     "Datagrams that could not be decoded as a notification (decode errors)."},
    {"netpower_traps_unauthenticated_total", C,
     "Notifications refused: unknown community or SNMPv3 user, wrong key."},
    {"netpower_traps_discovery_total", C, "SNMPv3 discovery probes answered with a Report."},
    {"netpower_traps_dropped_total", C,
     "Datagrams the kernel dropped because the receive buffer was full."},
    {"netpower_traps_informs_answered_total", C, "Informs acknowledged with a Response."},
    {"netpower_traps_queue_full_waits_total", C,
     "Times the receive thread waited for a busy decoder."},
    {"netpower_traps_unknown_source_total", C,
     "Notifications from sources that are no configured agent."},
    {"netpower_store_connected", G, "1 while the store's database connection is up."},
    {"netpower_store_down_since_timestamp_seconds", G,
     "Since when the database has been unreachable, seconds since the Unix epoch; absent when "
     "connected."},
    {"netpower_store_pending_rows", G, "Rows accepted and not yet cut into a batch."},
    {"netpower_store_memory_batches", G, "Batches waiting in memory to be written."},
    {"netpower_store_memory_rows", G, "Rows in the batches waiting in memory."},
    {"netpower_store_spool_batches", G, "Batches waiting in spool files."},
    {"netpower_store_spool_rows", G, "Rows in the batches waiting in spool files."},
    {"netpower_store_spool_bytes", G, "Size of the spool files."},
    {"netpower_store_queued_rows", G, "Rows not yet written: pending, in memory and spooled."},
    {"netpower_store_samples_written_total", C, "Samples committed to the database."},
    {"netpower_store_events_written_total", C, "Events committed to the database."},
    {"netpower_store_batches_written_total", C, "Batches committed to the database."},
    {"netpower_store_batches_spooled_total", C, "Batches written to the disk spool."},
    {"netpower_store_rows_replayed_total", C, "Rows written to the database from the spool."},
    {"netpower_store_duplicate_batches_total", C,
     "Replayed batches found already committed (ledger) and skipped."},
    {"netpower_store_rows_dropped_total", C,
     "Rows lost: spool full or unwritable, or refused by the database."},
    {"netpower_store_write_failures_total", C, "Batch writes that failed."},
    {"netpower_store_connect_failures_total", C, "Database connection attempts that failed."},
    {"netpower_store_corrupt_spool_files_total", C, "Damaged spool files set aside."},
    {"netpower_store_retention_runs_total", C, "Retention and partition maintenance runs."},
}};

constexpr std::size_t kFamilyCount = kFamilies.size();
constexpr std::size_t idx(F f) { return static_cast<std::size_t>(f); }

// ---- Labels -------------------------------------------------------------------------------------

// The length of the UTF-8 sequence that starts with `c` past its first byte, or -1 for a byte
// that cannot start one.
int continuation_bytes(unsigned char c) {
  if (c < 0x80) return 0;
  if (c >= 0xC2 && c <= 0xDF) return 1;
  if ((c & 0xF0) == 0xE0) return 2;
  if (c >= 0xF0 && c <= 0xF4) return 3;
  return -1;
}

// The length of the printable UTF-8 character at s[i], or 0 when it is not one (a control
// character, a broken or overlong sequence, a surrogate, past U+10FFFF).
std::size_t printable_char(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const int n = continuation_bytes(c);
  if (n == 0) return c >= 0x20 && c != 0x7f ? 1 : 0;
  if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) return 0;
  std::uint32_t cp = c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
      (cp >= 0x80 && cp < 0xA0)) {
    return 0;
  }
  return static_cast<std::size_t>(n) + 1;
}

bool valid_utf8_printable(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = printable_char(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Label values come from agents (port and page names): the exposition must be valid UTF-8, and
// control characters (a line end) are replaced too, so every serializer writes them alike.
std::string clean_value(std::string_view s) {
  if (valid_utf8_printable(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = printable_char(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      const auto c = static_cast<unsigned char>(s[i]);
      out += c < 0x80 ? " " : "\xEF\xBF\xBD";  // a control character, or U+FFFD
      ++i;
    }
  }
  return out;
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
}

// A run of labels, kept both as prometheus-cpp labels and as exposition text (`a="x",b="y"`).
struct LabelBlock {
  std::vector<ClientMetric::Label> list;
  std::string text;

  void add(std::string name, std::string_view raw_value) {
    std::string value = clean_value(raw_value);
    if (!text.empty()) text.push_back(',');
    text += name;
    text += "=\"";
    append_escaped(text, value);
    text.push_back('"');
    list.push_back({std::move(name), std::move(value)});
  }
};

// A label added to one sample (`state="on"`); its value is ours, never an agent's.
struct Extra {
  std::string_view name;
  std::string_view value;
};

// ---- Sinks --------------------------------------------------------------------------------------

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void add(F family, const LabelBlock* base, const LabelBlock* object,
                   std::span<const Extra> extra, double value) = 0;
};

void append_value(std::string& out, double value) {
  // As prometheus-cpp's TextSerializer writes it (%.16g), so both paths give the same bytes.
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 16);
    out.append(buf, r.ptr);
  }
}

class TextSink final : public Sink {
 public:
  TextSink() {
    for (auto& b : bodies_) b.reserve(256);
  }

  void add(F family, const LabelBlock* base, const LabelBlock* object, std::span<const Extra> extra,
           double value) override {
    std::string& out = bodies_[idx(family)];
    out += kFamilies[idx(family)].name;
    const char* sep = "{";
    if (base != nullptr && !base->text.empty()) {
      out += sep;
      out += base->text;
      sep = ",";
    }
    if (object != nullptr && !object->text.empty()) {
      out += sep;
      out += object->text;
      sep = ",";
    }
    for (const auto& e : extra) {
      out += sep;
      out += e.name;
      out += "=\"";
      append_escaped(out, e.value);
      out.push_back('"');
      sep = ",";
    }
    if (sep[0] == ',') out.push_back('}');
    out.push_back(' ');
    append_value(out, value);
    out.push_back('\n');
  }

  std::string finish() {
    std::size_t size = 0;
    for (const auto& b : bodies_) size += b.size() + 256;
    std::string out;
    out.reserve(size);
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (bodies_[i].empty()) continue;
      const auto& spec = kFamilies[i];
      out += "# HELP ";
      out += spec.name;
      out.push_back(' ');
      out += spec.help;
      out += "\n# TYPE ";
      out += spec.name;
      out += spec.type == C ? " counter\n" : " gauge\n";
      out += bodies_[i];
    }
    return out;
  }

 private:
  std::array<std::string, kFamilyCount> bodies_;
};

class FamilySink final : public Sink {
 public:
  void add(F family, const LabelBlock* base, const LabelBlock* object, std::span<const Extra> extra,
           double value) override {
    auto& metrics = metrics_[idx(family)];
    ClientMetric& m = metrics.emplace_back();
    m.label.reserve((base != nullptr ? base->list.size() : 0) +
                    (object != nullptr ? object->list.size() : 0) + extra.size());
    if (base != nullptr) m.label.insert(m.label.end(), base->list.begin(), base->list.end());
    if (object != nullptr) m.label.insert(m.label.end(), object->list.begin(), object->list.end());
    for (const auto& e : extra) m.label.push_back({std::string(e.name), std::string(e.value)});
    if (kFamilies[idx(family)].type == C) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
  }

  std::vector<MetricFamily> finish() {
    std::vector<MetricFamily> out;
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (metrics_[i].empty()) continue;
      const auto& spec = kFamilies[i];
      out.push_back({spec.name, spec.help, spec.type, std::move(metrics_[i])});
    }
    return out;
  }

 private:
  std::array<std::vector<ClientMetric>, kFamilyCount> metrics_;
};

// ---- What each object exports -------------------------------------------------------------------

struct StateName {
  std::string_view agent_text;  // as the MIB serves it
  std::string_view label;       // as the metric's label says it
};

constexpr StateName kControlStates[] = {
    {"On", "on"},
    {"Off", "off"},
    {"Reboot", "reboot"},
    {"Shutdown", "shutdown"},
    {"Pend Off", "pending_off"},
    {"Pend On", "pending_on"},
    {"Pend Reboot", "pending_reboot"},
};
// Relay on: On, Shutdown (the host is being told; power is cut after the delay), Pend Off and
// Pend Reboot (held on by the minimum-on time).
constexpr std::string_view kRelayOn[] = {"On", "Shutdown", "Pend Off", "Pend Reboot"};
constexpr std::string_view kRelayOff[] = {"Off", "Reboot", "Pend On"};

constexpr StateName kModuleStates[] = {
    {"Normal", "normal"},
    {"No Rspns", "no_response"},
    {"OnS Fail", "on_sense_fail"},
    {"Off Fail", "off_fail"},
};

constexpr std::string_view kBatteryStatus[] = {"unknown", "normal", "low", "depleted"};  // 1..4
constexpr std::string_view kOutputSource[] = {"other",   "none",    "normal", "bypass",
                                              "battery", "booster", "reducer"};  // 1..7
constexpr int kOutputSourceBattery = 5;

// RFC 1628 upsWellKnownAlarms (1.3.6.1.2.1.33.1.6.3.<n>).
constexpr std::string_view kWellKnownAlarmPrefix = "1.3.6.1.2.1.33.1.6.3.";
constexpr std::string_view kWellKnownAlarms[] = {
    "battery_bad",
    "on_battery",
    "low_battery",
    "depleted_battery",
    "temp_bad",
    "input_bad",
    "output_bad",
    "output_overload",
    "on_bypass",
    "bypass_bad",
    "output_off_as_requested",
    "ups_off_as_requested",
    "charger_failed",
    "ups_output_off",
    "ups_system_off",
    "fan_failure",
    "fuse_failure",
    "general_fault",
    "diagnostic_test_failed",
    "communications_lost",
    "awaiting_power",
    "shutdown_pending",
    "shutdown_imminent",
    "test_in_progress",
};  // 1..24

std::string_view alarm_label(const std::string& oid) {
  if (oid.starts_with(kWellKnownAlarmPrefix)) {
    std::string_view n = std::string_view(oid).substr(kWellKnownAlarmPrefix.size());
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
    if (ec == std::errc() && ptr == n.data() + n.size() && value >= 1 &&
        value <= std::size(kWellKnownAlarms)) {
      return kWellKnownAlarms[value - 1];
    }
  }
  return oid;  // an alarm of another MIB: its OID
}

double unix_seconds(model::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// A state set: one sample per known state, 1 for the current one; a state we do not know is
// added as `other`.
void emit_state_set(Sink& sink, F family, const LabelBlock& base, const LabelBlock* object,
                    std::string_view label_name, std::span<const StateName> states,
                    std::string_view current) {
  bool known = false;
  for (const auto& s : states) {
    const bool on = s.agent_text == current;
    known = known || on;
    const Extra e{label_name, s.label};
    sink.add(family, &base, object, {&e, 1}, on ? 1 : 0);
  }
  if (!known) {
    const Extra e{label_name, "other"};
    sink.add(family, &base, object, {&e, 1}, 1);
  }
}

void emit_enum(Sink& sink, F family, const LabelBlock& base, const LabelBlock* object,
               std::string_view label_name, std::span<const std::string_view> names,
               double current) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Extra e{label_name, names[i]};
    sink.add(family, &base, object, {&e, 1}, current == static_cast<double>(i + 1) ? 1 : 0);
  }
}

class AgentEmitter {
 public:
  AgentEmitter(Sink& sink, const AgentState& agent) : sink_(sink), agent_(agent) {
    base_.add("agent", agent.name);
    std::set<std::string> used = {"agent",     "board",    "port",        "name",  "group",
                                  "state",     "status",   "source",      "alarm", "address",
                                  "snmp_port", "location", "code_version"};
    for (const auto& [key, value] : agent.labels) {
      std::string name = sanitize_label_name(key);
      if (name.empty() || !used.insert(name).second) continue;  // a collision: first one wins
      base_.add(std::move(name), value);
    }
  }

  void emit() {
    emit_agent();
    for (const auto& b : agent_.boards) emit_board(b);
    for (const auto& p : agent_.ports) emit_port(p);
    if (agent_.ups) emit_ups(*agent_.ups);
  }

 private:
  void add(F f, double value, const LabelBlock* object = nullptr) {
    if (std::isnan(value)) return;  // a missing value is no sample
    sink_.add(f, &base_, object, {}, value);
  }

  void emit_agent() {
    {
      LabelBlock info;
      info.add("address", agent_.address);
      info.add("snmp_port", std::to_string(agent_.port));
      info.add("location", agent_.location);
      add(F::kAgentInfo, 1, &info);
    }
    add(F::kAgentUp, agent_.reachability == state::Reachability::kUp ? 1 : 0);
    if (agent_.last_poll) {
      add(F::kAgentPollDuration, agent_.poll_duration_seconds);
      add(F::kAgentLastPoll, unix_seconds(*agent_.last_poll));
      add(F::kAgentPollVarbinds, static_cast<double>(agent_.varbinds_last_poll));
    }
    add(F::kAgentPolls, static_cast<double>(agent_.polls_total));
    add(F::kAgentPollFailures, static_cast<double>(agent_.poll_failures_total));
    add(F::kAgentTraps, static_cast<double>(agent_.traps_total));
    if (agent_.last_trap) add(F::kAgentLastTrap, unix_seconds(*agent_.last_trap));
  }

  void emit_board(const BoardState& b) {
    LabelBlock object;
    object.add("board", b.id);
    object.add("name", b.page_name);
    {
      LabelBlock info = object;
      info.add("code_version", b.code_version);
      add(F::kBoardInfo, 1, &info);
    }
    if (b.temperature_c) add(F::kBoardTemperature, *b.temperature_c, &object);
    if (b.input_load_amps) add(F::kBoardInputLoad, *b.input_load_amps, &object);
  }

  void emit_port(const PortState& p) {
    LabelBlock object;
    object.add("board", std::string_view(p.id).substr(0, 1));
    object.add("port", p.id);
    object.add("name", p.name);
    object.add("group", p.group);
    if (p.load_amps) add(F::kPortLoad, *p.load_amps, &object);
    if (!p.control.empty()) {
      auto in = [&](std::span<const std::string_view> set) {
        return std::find(set.begin(), set.end(), p.control) != set.end();
      };
      if (in(kRelayOn)) {
        add(F::kPortPowerOn, 1, &object);
      } else if (in(kRelayOff)) {
        add(F::kPortPowerOn, 0, &object);
      }
      emit_state_set(sink_, F::kPortControlState, base_, &object, "state", kControlStates,
                     p.control);
    }
    if (!p.module.empty()) {
      emit_state_set(sink_, F::kPortModuleStatus, base_, &object, "status", kModuleStates,
                     p.module);
    }
    if (p.locked) add(F::kPortLocked, *p.locked ? 1 : 0, &object);
  }

  void emit_ups(const UpsState& ups) {
    LabelBlock object;
    object.add("name", ups.name);
    auto value = [&](const char* key) -> std::optional<double> {
      auto it = ups.values.find(key);
      if (it == ups.values.end()) return std::nullopt;
      return it->second;
    };
    auto put = [&](F f, const char* key, double divisor = 1) {
      if (auto v = value(key)) add(f, *v / divisor, &object);
    };
    if (auto s = value("battery.status")) {
      emit_enum(sink_, F::kUpsBatteryStatus, base_, &object, "status", kBatteryStatus, *s);
    }
    put(F::kUpsBatteryCharge, "battery.charge", 100);
    put(F::kUpsBatteryRuntime, "battery.runtime");
    put(F::kUpsBatteryVoltage, "battery.voltage");
    put(F::kUpsBatteryCurrent, "battery.current");
    put(F::kUpsBatteryTemperature, "battery.temperature");
    if (auto s = value("output.source")) {
      add(F::kUpsOnBattery, *s == kOutputSourceBattery ? 1 : 0, &object);
    }
    put(F::kUpsTimeOnBattery, "ups.seconds_on_battery");
    if (auto s = value("output.source")) {
      emit_enum(sink_, F::kUpsOutputSource, base_, &object, "source", kOutputSource, *s);
    }
    put(F::kUpsInputVoltage, "input.voltage");
    put(F::kUpsInputFrequency, "input.frequency");
    put(F::kUpsInputCurrent, "input.current");
    put(F::kUpsInputPower, "input.realpower");
    put(F::kUpsOutputVoltage, "output.voltage");
    put(F::kUpsOutputFrequency, "output.frequency");
    put(F::kUpsOutputCurrent, "output.current");
    put(F::kUpsOutputPower, "output.power");
    put(F::kUpsOutputLoad, "ups.load", 100);
    add(F::kUpsAlarms, static_cast<double>(ups.alarms.size()), &object);
    std::set<std::string_view> seen;  // one series per alarm label
    for (const auto& alarm : ups.alarms) {
      const std::string_view label = alarm_label(alarm);
      if (!seen.insert(label).second) continue;
      const Extra e{"alarm", label};
      sink_.add(F::kUpsAlarm, &base_, &object, {&e, 1}, 1);
    }
  }

  Sink& sink_;
  const AgentState& agent_;
  LabelBlock base_;
};

void emit_health(Sink& sink, const state::FleetState& state, const HealthSources& health) {
  auto put = [&](F f, double value) { sink.add(f, nullptr, nullptr, {}, value); };
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  if (health.poller) {
    const auto m = health.poller();
    const std::uint64_t known = m.agents_up + m.agents_down;
    const std::pair<std::string_view, std::uint64_t> by_state[] = {
        {"up", m.agents_up},
        {"down", m.agents_down},
        {"unknown", m.agents > known ? m.agents - known : 0}};
    for (const auto& [name, count] : by_state) {
      const Extra e{"state", name};
      sink.add(F::kPollerAgents, nullptr, nullptr, {&e, 1}, u(count));
    }
    put(F::kPollerPolls, u(m.polls_total));
    put(F::kPollerPollFailures, u(m.poll_failures_total));
    put(F::kPollerRequests, u(m.requests_total));
    put(F::kPollerRetries, u(m.retries_total));
    put(F::kPollerVarbinds, u(m.varbinds_total));
    put(F::kPollerResponses, u(m.responses_total));
    put(F::kPollerUnmatched, u(m.unmatched_responses_total));
    put(F::kPollerMalformed, u(m.malformed_responses_total));
    put(F::kPollerBadDigest, u(m.bad_digest_responses_total));
    put(F::kPollerOverruns, u(m.overruns_total));
  }
  if (health.traps) {
    const auto t = health.traps();
    put(F::kTrapsReceived, u(t.received));
    put(F::kTrapsDecoded, u(t.decoded));
    put(F::kTrapsMalformed, u(t.malformed));
    put(F::kTrapsUnauthenticated, u(t.unauthenticated));
    put(F::kTrapsDiscovery, u(t.discovery));
    put(F::kTrapsDropped, u(t.kernel_dropped));
    put(F::kTrapsInformsAnswered, u(t.informs_answered));
    put(F::kTrapsQueueFullWaits, u(t.queue_full_waits));
  }
  put(F::kTrapsUnknownSource, u(state.unknown_source_traps()));
  if (health.store) {
    const auto s = health.store();
    put(F::kStoreConnected, s.connected ? 1 : 0);
    if (s.down_since) put(F::kStoreDownSince, unix_seconds(*s.down_since));
    put(F::kStorePendingRows, u(s.pending_rows));
    put(F::kStoreMemoryBatches, u(s.memory_batches));
    put(F::kStoreMemoryRows, u(s.memory_rows));
    put(F::kStoreSpoolBatches, u(s.spool_batches));
    put(F::kStoreSpoolRows, u(s.spool_rows));
    put(F::kStoreSpoolBytes, u(s.spool_bytes));
    put(F::kStoreQueuedRows, u(s.queued_rows()));
    put(F::kStoreSamplesWritten, u(s.samples_written_total));
    put(F::kStoreEventsWritten, u(s.events_written_total));
    put(F::kStoreBatchesWritten, u(s.batches_written_total));
    put(F::kStoreBatchesSpooled, u(s.batches_spooled_total));
    put(F::kStoreRowsReplayed, u(s.rows_replayed_total));
    put(F::kStoreDuplicateBatches, u(s.duplicate_batches_total));
    put(F::kStoreRowsDropped, u(s.rows_dropped_total));
    put(F::kStoreWriteFailures, u(s.write_failures_total));
    put(F::kStoreConnectFailures, u(s.connect_failures_total));
    put(F::kStoreCorruptSpoolFiles, u(s.corrupt_spool_files_total));
    put(F::kStoreRetentionRuns, u(s.retention_runs_total));
  }
}

void emit_all(Sink& sink, const state::FleetState& state, const HealthSources& health) {
  // The health callbacks take their own locks: call them outside the state's.
  emit_health(sink, state, health);
  state.visit([&](const AgentState& agent) { AgentEmitter(sink, agent).emit(); });
}

}  // namespace

std::string sanitize_label_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out.push_back(ok ? c : '_');
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  while (out.starts_with("__")) out.erase(0, 1);
  return out;
}

FleetCollector::FleetCollector(const state::FleetState& state, HealthSources health)
    : state_(state), health_(std::move(health)) {}

std::vector<MetricFamily> FleetCollector::Collect() const {
  FamilySink sink;
  emit_all(sink, state_, health_);
  return sink.finish();
}

Exporter::Exporter(const state::FleetState& state, HealthSources health)
    : state_(state),
      health_(health),
      collector_(std::make_shared<FleetCollector>(state, std::move(health))) {}

std::string Exporter::scrape() const {
  TextSink sink;
  emit_all(sink, state_, health_);
  return sink.finish();
}

std::vector<MetricFamily> Exporter::collect() const { return collector_->Collect(); }

std::string serialize_metrics(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace netpower::manager::exporter
