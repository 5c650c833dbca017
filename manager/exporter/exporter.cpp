#include "manager/exporter/exporter.h"

#include "manager/exporter/detail/families.h"
#include "manager/exporter/detail/sinks.h"
#include "manager/mib/oids.h"
#include "manager/mib/sentry2.h"
#include "manager/mib/ups_mib.h"
#include "manager/model/labels.h"

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

using namespace detail;  // the families and the sinks
using state::AgentState;
using state::BoardState;
using state::PortState;
using state::UpsState;

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

constexpr StateName kModuleStates[] = {
    {"Normal", "normal"},
    {"No Rspns", "no_response"},
    {"OnS Fail", "on_sense_fail"},
    {"Off Fail", "off_fail"},
};

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
    // The configuration refuses label names that are not Prometheus names or that netpower sets
    // itself (model/labels.h); this guards states built otherwise (tests, tools).
    std::set<std::string> used(model::kReservedLabelNames.begin(),
                               model::kReservedLabelNames.end());
    for (const auto& [key, value] : agent.labels) {
      std::string name = sanitize_label_name(key);
      if (name.empty() || !used.insert(name).second) continue;
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
    // Only the reasons that happened: most agents never see most of them.
    for (std::size_t i = 0; i < agent_.poll_failures_by_reason.size(); ++i) {
      if (agent_.poll_failures_by_reason[i] == 0) continue;
      LabelBlock reason;
      reason.add("reason", poller::reason_label(static_cast<poller::PollError>(i)));
      add(F::kAgentPollFailuresByReason, static_cast<double>(agent_.poll_failures_by_reason[i]),
          &reason);
    }
    add(F::kAgentTraps, static_cast<double>(agent_.traps_total));
    add(F::kAgentRejectedVarbinds, static_cast<double>(agent_.rejected_varbinds_total));
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
      if (const auto on = mib::relay_on(p.control)) add(F::kPortPowerOn, *on ? 1 : 0, &object);
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
      emit_enum(sink_, F::kUpsBatteryStatus, base_, &object, "status", mib::kBatteryStatusNames,
                *s);
    }
    put(F::kUpsBatteryCharge, "battery.charge", 100);
    put(F::kUpsBatteryRuntime, "battery.runtime");
    put(F::kUpsBatteryVoltage, "battery.voltage");
    put(F::kUpsBatteryCurrent, "battery.current");
    put(F::kUpsBatteryTemperature, "battery.temperature");
    if (auto s = value("output.source")) {
      add(F::kUpsOnBattery, *s == mib::kOutputSourceBattery ? 1 : 0, &object);
    }
    put(F::kUpsTimeOnBattery, "ups.seconds_on_battery");
    if (auto s = value("output.source")) {
      emit_enum(sink_, F::kUpsOutputSource, base_, &object, "source", mib::kOutputSourceNames, *s);
    }
    put(F::kUpsInputVoltage, "input.voltage");
    put(F::kUpsInputFrequency, "input.frequency");
    put(F::kUpsInputCurrent, "input.current");
    put(F::kUpsInputPower, "input.realpower");
    put(F::kUpsOutputVoltage, "output.voltage");
    put(F::kUpsOutputFrequency, "output.frequency");
    put(F::kUpsOutputCurrent, "output.current");
    put(F::kUpsOutputPower, "output.realpower");
    put(F::kUpsOutputLoad, "ups.load", 100);
    add(F::kUpsAlarms, static_cast<double>(ups.alarms.size()), &object);
    std::set<std::string_view> seen;  // one series per alarm label
    for (const auto& alarm : ups.alarms) {
      const std::string_view label = mib::ups_alarm_name(alarm);
      if (!seen.insert(label).second) continue;
      const Extra e{"alarm", label};
      sink_.add(F::kUpsAlarm, &base_, &object, {&e, 1}, 1);
    }
  }

  Sink& sink_;
  const AgentState& agent_;
  LabelBlock base_;
};

// A component's HealthWriter calls, into a sink.
void emit_health(Sink& sink, const state::FleetState& state, const HealthSources& health) {
  HealthToSink writer(sink);
  for (const auto* source : health) {
    if (source != nullptr) source->write_health(writer);
  }
  // The fleet's own: notifications from sources that are no configured agent.
  writer.counter("netpower_traps_unknown_source_total",
                 "Notifications from sources that are no configured agent.",
                 static_cast<double>(state.unknown_source_traps()), {});
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
