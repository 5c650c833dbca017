#include "manager/exporter/exporter.h"
#include "manager/daemon/poller_health.h"
#include "manager/store/store_health.h"
#include "manager/traps/trap_health.h"

#include <gtest/gtest.h>

#include <prometheus/check_names.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "tests/unit/manager/exporter/fleet_fixture.h"

namespace netpower::manager::exporter {
namespace {

// The components' health as netpower-manager wires it (PollerPool, TrapHealth, StoreHealth), from
// fixed metrics. Converts to the exporter's HealthSources; must outlive the exporter.
struct TestHealth {
  std::function<poller::PollerMetrics()> poller;
  std::function<traps::TrapCounters()> traps;
  std::function<store::StoreMetrics()> store;
  mutable std::vector<std::unique_ptr<model::HealthFunction>> owned;

  operator HealthSources() const {
    HealthSources out;
    auto add = [&](auto fn) {
      owned.push_back(std::make_unique<model::HealthFunction>(std::move(fn)));
      out.push_back(owned.back().get());
    };
    if (poller) add([f = poller](model::HealthWriter& w) { daemon::write_poller_health(f(), w); });
    if (traps) add([f = traps](model::HealthWriter& w) { traps::write_trap_health(f(), w); });
    if (store) add([f = store](model::HealthWriter& w) { store::write_store_health(f(), w); });
    return out;
  }
};

using namespace netpower::manager::testing;  // NOLINT: test helpers

// The samples of an exposition: "name{labels}" -> value, plus HELP and TYPE per family.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<std::string> family_order;
};

Exposition parse(const std::string& text) {
  Exposition out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      out.helps[rest.substr(0, sp)] = rest.substr(sp + 1);
      out.family_order.push_back(rest.substr(0, sp));
    } else if (line.starts_with("# TYPE ")) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      out.types[rest.substr(0, sp)] = rest.substr(sp + 1);
    } else if (!line.empty()) {
      auto sp = line.rfind(' ');
      EXPECT_NE(sp, std::string::npos) << line;
      EXPECT_TRUE(out.samples.emplace(line.substr(0, sp), std::stod(line.substr(sp + 1))).second)
          << "duplicate series " << line;
    }
  }
  return out;
}

double value_of(const Exposition& e, const std::string& series) {
  auto it = e.samples.find(series);
  EXPECT_NE(it, e.samples.end()) << "missing " << series;
  return it == e.samples.end() ? -1e300 : it->second;
}

config::AgentSettings agent(std::string name, std::map<std::string, std::string> labels) {
  config::AgentSettings a;
  a.name = std::move(name);
  a.address = "10.0.0.1";
  a.port = 1161;
  a.labels = std::move(labels);
  return a;
}

std::vector<Varbind> small_walk() {
  auto walk = sentry2_walk(
      "rack \"12\"",
      {{"A", "page A", "v4.0c", "27.5 Deg C", "10.25A"}, {"B", "page B", "v4.1", "N/A", "N/A"}},
      {{"A1", "web1", "On", "Normal", "2.50A", "web", 1},
       {"A2", "web2", "Off", "No Rspns", "Not On", "web", 2},
       {"A3", "db1", "Pend Reboot", "OnS Fail", "N/A", "", 0},
       {"B1", "router", "Weird", "Gone", "0.75A", "net", 2}});
  auto ups = ups_varbinds("ups-a", true);
  walk.insert(walk.end(), ups.begin(), ups.end());
  walk.push_back(oid_value(ups_oid({6, 2, 1, 2, 1}), "1.3.6.1.2.1.33.1.6.3.2"));
  walk.push_back(oid_value(ups_oid({6, 2, 1, 2, 2}), "1.3.6.1.4.1.99.1"));  // another MIB's alarm
  return walk;
}

const std::string kBase = R"(agent="pdu1",rack="r12",site="par1")";
const std::string kA1 = kBase + R"(,board="A",port="A1",name="web1",group="web")";
const std::string kA2 = kBase + R"(,board="A",port="A2",name="web2",group="web")";
const std::string kA3 = kBase + R"(,board="A",port="A3",name="db1",group="")";
const std::string kB1 = kBase + R"(,board="B",port="B1",name="router",group="net")";
const std::string kUpsLabels = kBase + R"(,name="ups-a")";

class ExporterTest : public ::testing::Test {
 protected:
  ExporterTest() : fleet_({agent("pdu1", {{"site", "par1"}, {"rack", "r12"}}), agent("pdu2", {})}) {
    fleet_.apply_poll(poll_result("pdu1", small_walk()));
  }
  double at(const Exposition& e, const std::string& series) { return value_of(e, series); }
  state::FleetState fleet_;
};

TEST_F(ExporterTest, AgentFamilies) {
  Exporter exporter(fleet_);
  auto e = parse(exporter.scrape());
  EXPECT_EQ(at(e, "netpower_agent_info{" + kBase +
                      R"(,address="10.0.0.1",snmp_port="1161",location="rack \"12\""})"),
            1);
  EXPECT_EQ(at(e, "netpower_agent_up{" + kBase + "}"), 1);
  EXPECT_EQ(at(e, R"(netpower_agent_up{agent="pdu2"})"), 0);  // never polled
  EXPECT_EQ(at(e, "netpower_agent_poll_duration_seconds{" + kBase + "}"), 0.0125);
  EXPECT_EQ(at(e, "netpower_agent_last_poll_timestamp_seconds{" + kBase + "}"), 1.7e9);
  EXPECT_EQ(at(e, "netpower_agent_poll_varbinds{" + kBase + "}"),
            static_cast<double>(small_walk().size()));
  EXPECT_EQ(at(e, "netpower_agent_polls_total{" + kBase + "}"), 1);
  EXPECT_EQ(at(e, "netpower_agent_poll_failures_total{" + kBase + "}"), 0);
  EXPECT_EQ(at(e, "netpower_agent_traps_total{" + kBase + "}"), 0);
  EXPECT_EQ(at(e, "netpower_agent_rejected_varbinds_total{" + kBase + "}"), 0);
  EXPECT_EQ(at(e, R"(netpower_agent_polls_total{agent="pdu2"})"), 0);
  EXPECT_FALSE(e.samples.contains(R"(netpower_agent_poll_duration_seconds{agent="pdu2"})"));
  EXPECT_FALSE(e.samples.contains("netpower_agent_last_trap_timestamp_seconds{" + kBase + "}"));
  EXPECT_EQ(e.types["netpower_agent_polls_total"], "counter");
  EXPECT_EQ(e.types["netpower_agent_up"], "gauge");
}

TEST_F(ExporterTest, PollFailuresByReason) {
  // None yet: no series, only the family's total.
  auto e = parse(Exporter(fleet_).scrape());
  for (const auto& [series, value] : e.samples) {
    EXPECT_FALSE(series.starts_with("netpower_agent_poll_failures_by_reason_total")) << series;
  }
  for (auto error : {poller::PollError::kTooManyBytes, poller::PollError::kTooManyBytes,
                     poller::PollError::kDeadline}) {
    auto failed = poll_result("pdu1", {});
    failed.error = error;
    fleet_.apply_poll(failed);
  }
  e = parse(Exporter(fleet_).scrape());
  EXPECT_EQ(
      at(e, "netpower_agent_poll_failures_by_reason_total{" + kBase + R"(,reason="max_bytes"})"),
      2);
  EXPECT_EQ(
      at(e, "netpower_agent_poll_failures_by_reason_total{" + kBase + R"(,reason="deadline"})"), 1);
  EXPECT_FALSE(e.samples.contains("netpower_agent_poll_failures_by_reason_total{" + kBase +
                                  R"(,reason="timeout"})"));
  EXPECT_EQ(at(e, "netpower_agent_poll_failures_total{" + kBase + "}"), 3);
  EXPECT_EQ(e.types["netpower_agent_poll_failures_by_reason_total"], "counter");
}

TEST_F(ExporterTest, BoardFamilies) {
  auto e = parse(Exporter(fleet_).scrape());
  const std::string a = kBase + R"(,board="A",name="page A")";
  const std::string b = kBase + R"(,board="B",name="page B")";
  EXPECT_EQ(at(e, "netpower_board_info{" + a + R"(,code_version="v4.0c"})"), 1);
  EXPECT_EQ(at(e, "netpower_board_info{" + b + R"(,code_version="v4.1"})"), 1);
  EXPECT_EQ(at(e, "netpower_board_temperature_celsius{" + a + "}"), 27.5);
  EXPECT_EQ(at(e, "netpower_board_input_load_amperes{" + a + "}"), 10.25);
  EXPECT_FALSE(e.samples.contains("netpower_board_temperature_celsius{" + b + "}"));  // N/A
  EXPECT_FALSE(e.samples.contains("netpower_board_input_load_amperes{" + b + "}"));
}

TEST_F(ExporterTest, PortFamilies) {
  auto e = parse(Exporter(fleet_).scrape());
  EXPECT_EQ(at(e, "netpower_port_load_amperes{" + kA1 + "}"), 2.5);
  EXPECT_EQ(at(e, "netpower_port_load_amperes{" + kA2 + "}"), 0);               // Not On
  EXPECT_FALSE(e.samples.contains("netpower_port_load_amperes{" + kA3 + "}"));  // N/A
  EXPECT_EQ(at(e, "netpower_port_load_amperes{" + kB1 + "}"), 0.75);

  EXPECT_EQ(at(e, "netpower_port_power_on{" + kA1 + "}"), 1);
  EXPECT_EQ(at(e, "netpower_port_power_on{" + kA2 + "}"), 0);
  EXPECT_EQ(at(e, "netpower_port_power_on{" + kA3 + "}"), 1);               // Pend Reboot: still on
  EXPECT_FALSE(e.samples.contains("netpower_port_power_on{" + kB1 + "}"));  // unknown text

  const char* states[] = {"on",          "off",        "reboot",        "shutdown",
                          "pending_off", "pending_on", "pending_reboot"};
  for (const char* s : states) {
    const std::string label = std::string(R"(,state=")") + s + "\"}";
    EXPECT_EQ(at(e, "netpower_port_control_state{" + kA1 + label), s == std::string("on"));
    EXPECT_EQ(at(e, "netpower_port_control_state{" + kA3 + label),
              s == std::string("pending_reboot"));
    EXPECT_EQ(at(e, "netpower_port_control_state{" + kB1 + label), 0);
  }
  EXPECT_EQ(at(e, "netpower_port_control_state{" + kB1 + R"(,state="other"})"), 1);
  EXPECT_FALSE(e.samples.contains("netpower_port_control_state{" + kA1 + R"(,state="other"})"));

  EXPECT_EQ(at(e, "netpower_port_module_status{" + kA1 + R"(,status="normal"})"), 1);
  EXPECT_EQ(at(e, "netpower_port_module_status{" + kA1 + R"(,status="off_fail"})"), 0);
  EXPECT_EQ(at(e, "netpower_port_module_status{" + kA2 + R"(,status="no_response"})"), 1);
  EXPECT_EQ(at(e, "netpower_port_module_status{" + kA2 + R"(,status="normal"})"), 0);
  EXPECT_EQ(at(e, "netpower_port_module_status{" + kA3 + R"(,status="on_sense_fail"})"), 1);
  EXPECT_EQ(at(e, "netpower_port_module_status{" + kB1 + R"(,status="other"})"), 1);

  EXPECT_EQ(at(e, "netpower_port_locked{" + kA1 + "}"), 1);
  EXPECT_EQ(at(e, "netpower_port_locked{" + kA2 + "}"), 0);
  EXPECT_FALSE(e.samples.contains("netpower_port_locked{" + kA3 + "}"));  // not served
}

TEST_F(ExporterTest, UpsFamilies) {
  auto e = parse(Exporter(fleet_).scrape());
  auto ups = [&](const std::string& family, const std::string& extra = "") {
    return at(e, family + "{" + kUpsLabels + extra + "}");
  };
  EXPECT_EQ(ups("netpower_ups_battery_status", R"(,status="low")"), 1);
  EXPECT_EQ(ups("netpower_ups_battery_status", R"(,status="normal")"), 0);
  EXPECT_EQ(ups("netpower_ups_battery_status", R"(,status="unknown")"), 0);
  EXPECT_EQ(ups("netpower_ups_battery_status", R"(,status="depleted")"), 0);
  EXPECT_EQ(ups("netpower_ups_battery_charge_ratio"), 0.38);
  EXPECT_EQ(ups("netpower_ups_battery_runtime_seconds"), 540);  // 9 minutes
  EXPECT_EQ(ups("netpower_ups_battery_voltage_volts"), 54.5);
  EXPECT_EQ(ups("netpower_ups_battery_current_amperes"), -8.5);
  EXPECT_EQ(ups("netpower_ups_battery_temperature_celsius"), 29);
  EXPECT_EQ(ups("netpower_ups_on_battery"), 1);
  EXPECT_EQ(ups("netpower_ups_time_on_battery_seconds"), 125);
  EXPECT_EQ(ups("netpower_ups_output_source", R"(,source="battery")"), 1);
  EXPECT_EQ(ups("netpower_ups_output_source", R"(,source="normal")"), 0);
  EXPECT_EQ(ups("netpower_ups_input_voltage_volts"), 0);
  EXPECT_EQ(ups("netpower_ups_input_frequency_hertz"), 50);
  EXPECT_EQ(ups("netpower_ups_input_current_amperes"), 0);
  EXPECT_EQ(ups("netpower_ups_input_power_watts"), 0);
  EXPECT_EQ(ups("netpower_ups_output_voltage_volts"), 230);
  EXPECT_EQ(ups("netpower_ups_output_frequency_hertz"), 50);
  EXPECT_EQ(ups("netpower_ups_output_current_amperes"), 4.1);
  EXPECT_EQ(ups("netpower_ups_output_power_watts"), 920);
  EXPECT_EQ(ups("netpower_ups_output_load_ratio"), 0.37);
  EXPECT_EQ(ups("netpower_ups_alarms"), 2);
  EXPECT_EQ(ups("netpower_ups_alarm", R"(,alarm="on_battery")"), 1);
  EXPECT_EQ(ups("netpower_ups_alarm", R"(,alarm="1.3.6.1.4.1.99.1")"), 1);
  EXPECT_FALSE(e.samples.contains(R"(netpower_ups_alarms{agent="pdu2"})"));
}

TEST_F(ExporterTest, ATrapShowsInTheNextScrape) {
  Exporter exporter(fleet_);
  fleet_.apply_trap(sentry2_port_trap("pdu1", 5, "A1", 4, "Off", "web1"));
  auto e = parse(exporter.scrape());
  EXPECT_EQ(at(e, "netpower_port_power_on{" + kA1 + "}"), 0);
  EXPECT_EQ(at(e, "netpower_port_control_state{" + kA1 + R"(,state="off"})"), 1);
  EXPECT_EQ(at(e, "netpower_port_control_state{" + kA1 + R"(,state="on"})"), 0);
  EXPECT_EQ(at(e, "netpower_agent_traps_total{" + kBase + "}"), 1);
  EXPECT_EQ(at(e, "netpower_agent_last_trap_timestamp_seconds{" + kBase + "}"), 1'700'000'100);
}

TEST_F(ExporterTest, HealthFamilies) {
  TestHealth health;
  health.poller = [] {
    poller::PollerMetrics m;
    m.agents = 5;
    m.agents_up = 3;
    m.agents_down = 1;
    m.polls_total = 100;
    m.poll_failures_total = 4;
    m.requests_total = 300;
    m.retries_total = 7;
    m.varbinds_total = 12345;
    m.responses_total = 293;
    m.unmatched_responses_total = 2;
    m.malformed_responses_total = 1;
    m.bad_digest_responses_total = 3;
    m.overruns_total = 6;
    m.deadline_failures_total = 2;
    m.limit_failures_total = 1;
    m.held_bytes = 4096;
    return m;
  };
  health.traps = [] {
    traps::TrapCounters t;
    t.received = 50;
    t.decoded = 44;
    t.malformed = 3;
    t.unauthenticated = 2;
    t.discovery = 1;
    t.kernel_dropped = 9;
    t.informs_answered = 4;
    t.queue_full_waits = 8;
    return t;
  };
  health.store = [] {
    store::StoreMetrics s;
    s.connected = false;
    s.down_since = model::WallTime(std::chrono::seconds(1'700'000'500));
    s.pending_rows = 10;
    s.memory_batches = 2;
    s.memory_rows = 200;
    s.spool_batches = 3;
    s.spool_rows = 300;
    s.spool_bytes = 4096;
    s.samples_written_total = 1000;
    s.events_written_total = 20;
    s.batches_written_total = 5;
    s.batches_spooled_total = 3;
    s.rows_replayed_total = 7;
    s.duplicate_batches_total = 1;
    s.rows_dropped_total = 2;
    s.write_failures_total = 4;
    s.connect_failures_total = 6;
    s.corrupt_spool_files_total = 1;
    s.retention_runs_total = 9;
    return s;
  };
  fleet_.apply_trap(sentry2_port_trap("10.9.9.9", 5, "A1", 4, "Off"));
  auto e = parse(Exporter(fleet_, health).scrape());
  EXPECT_EQ(at(e, R"(netpower_poller_agents{state="up"})"), 3);
  EXPECT_EQ(at(e, R"(netpower_poller_agents{state="down"})"), 1);
  EXPECT_EQ(at(e, R"(netpower_poller_agents{state="unknown"})"), 1);
  EXPECT_EQ(at(e, "netpower_poller_polls_total"), 100);
  EXPECT_EQ(at(e, "netpower_poller_poll_failures_total"), 4);
  EXPECT_EQ(at(e, "netpower_poller_requests_total"), 300);
  EXPECT_EQ(at(e, "netpower_poller_retries_total"), 7);
  EXPECT_EQ(at(e, "netpower_poller_varbinds_total"), 12345);
  EXPECT_EQ(at(e, "netpower_poller_responses_total"), 293);
  EXPECT_EQ(at(e, "netpower_poller_unmatched_responses_total"), 2);
  EXPECT_EQ(at(e, "netpower_poller_malformed_responses_total"), 1);
  EXPECT_EQ(at(e, "netpower_poller_bad_digest_responses_total"), 3);
  EXPECT_EQ(at(e, "netpower_poller_overruns_total"), 6);
  EXPECT_EQ(at(e, "netpower_poller_deadline_failures_total"), 2);
  EXPECT_EQ(at(e, "netpower_poller_limit_failures_total"), 1);
  EXPECT_EQ(at(e, "netpower_poller_poll_bytes"), 4096);
  EXPECT_EQ(at(e, "netpower_traps_received_total"), 50);
  EXPECT_EQ(at(e, "netpower_traps_decoded_total"), 44);
  EXPECT_EQ(at(e, "netpower_traps_malformed_total"), 3);
  EXPECT_EQ(at(e, "netpower_traps_unauthenticated_total"), 2);
  EXPECT_EQ(at(e, "netpower_traps_discovery_total"), 1);
  EXPECT_EQ(at(e, "netpower_traps_dropped_total"), 9);
  EXPECT_EQ(at(e, "netpower_traps_informs_answered_total"), 4);
  EXPECT_EQ(at(e, "netpower_traps_queue_full_waits_total"), 8);
  EXPECT_EQ(at(e, "netpower_traps_unknown_source_total"), 1);
  EXPECT_EQ(at(e, "netpower_store_connected"), 0);
  EXPECT_EQ(at(e, "netpower_store_down_since_timestamp_seconds"), 1'700'000'500);
  EXPECT_EQ(at(e, "netpower_store_pending_rows"), 10);
  EXPECT_EQ(at(e, "netpower_store_memory_batches"), 2);
  EXPECT_EQ(at(e, "netpower_store_memory_rows"), 200);
  EXPECT_EQ(at(e, "netpower_store_spool_batches"), 3);
  EXPECT_EQ(at(e, "netpower_store_spool_rows"), 300);
  EXPECT_EQ(at(e, "netpower_store_spool_bytes"), 4096);
  EXPECT_EQ(at(e, "netpower_store_queued_rows"), 510);
  EXPECT_EQ(at(e, "netpower_store_samples_written_total"), 1000);
  EXPECT_EQ(at(e, "netpower_store_events_written_total"), 20);
  EXPECT_EQ(at(e, "netpower_store_batches_written_total"), 5);
  EXPECT_EQ(at(e, "netpower_store_batches_spooled_total"), 3);
  EXPECT_EQ(at(e, "netpower_store_rows_replayed_total"), 7);
  EXPECT_EQ(at(e, "netpower_store_duplicate_batches_total"), 1);
  EXPECT_EQ(at(e, "netpower_store_rows_dropped_total"), 2);
  EXPECT_EQ(at(e, "netpower_store_write_failures_total"), 4);
  EXPECT_EQ(at(e, "netpower_store_connect_failures_total"), 6);
  EXPECT_EQ(at(e, "netpower_store_corrupt_spool_files_total"), 1);
  EXPECT_EQ(at(e, "netpower_store_retention_runs_total"), 9);

  // Without the callbacks, their families are absent.
  auto bare = parse(Exporter(fleet_).scrape());
  EXPECT_FALSE(bare.types.contains("netpower_poller_polls_total"));
  EXPECT_FALSE(bare.types.contains("netpower_store_connected"));
  EXPECT_FALSE(bare.types.contains("netpower_traps_received_total"));
  EXPECT_EQ(value_of(bare, "netpower_traps_unknown_source_total"), 1);
}

TEST_F(ExporterTest, EveryFamilyIsNamedAndDocumented) {
  auto e = parse(Exporter(fleet_).scrape());
  for (const auto& [name, type] : e.types) {
    EXPECT_TRUE(prometheus::CheckMetricName(name)) << name;
    EXPECT_TRUE(name.starts_with("netpower_")) << name;
    EXPECT_EQ(type == "counter", name.ends_with("_total")) << name;
    EXPECT_FALSE(e.helps[name].empty()) << name;
  }
}

TEST_F(ExporterTest, TextPathEqualsTheCollectableThroughTextSerializer) {
  fleet_.apply_trap(sentry2_port_trap("pdu1", 5, "A1", 4, "Off", "web1"));
  TestHealth health;
  health.poller = [] { return poller::PollerMetrics{5, 3, 1, 100}; };
  health.store = [] {
    store::StoreMetrics s;
    s.connected = true;
    s.samples_written_total = 123456789012ull;
    return s;
  };
  Exporter exporter(fleet_, health);
  const std::string direct = exporter.scrape();
  EXPECT_EQ(direct, serialize_metrics(exporter.collect()));
  EXPECT_EQ(direct, serialize_metrics(exporter.collectable()->Collect()));
  EXPECT_EQ(direct, serialize_metrics(FleetCollector(fleet_, health).Collect()));
}

TEST(ExporterLabels, SanitizedNames) {
  EXPECT_EQ(sanitize_label_name("rack"), "rack");
  EXPECT_EQ(sanitize_label_name("rack-id"), "rack_id");
  EXPECT_EQ(sanitize_label_name("data.center"), "data_center");
  EXPECT_EQ(sanitize_label_name("2nd"), "_2nd");
  EXPECT_EQ(sanitize_label_name("__meta"), "_meta");
  EXPECT_EQ(sanitize_label_name("____"), "_");
  EXPECT_EQ(sanitize_label_name("\xC3\xA9t\xC3\xA9"), "_t__");  // "été": 2 bytes each
  EXPECT_EQ(sanitize_label_name(""), "");
  for (const char* n : {"rack-id", "2nd", "__meta", "été", "a b"}) {
    EXPECT_TRUE(prometheus::CheckLabelName(sanitize_label_name(n))) << n;
  }
}

TEST(ExporterLabels, CollisionsAndReservedNamesAreDropped) {
  // "rack-id" and "rack_id" are the same Prometheus name: the first (in name order) wins.
  state::FleetState fleet({agent(
      "pdu1", {{"rack-id", "r1"}, {"rack_id", "r2"}, {"data.center", "dc"}, {"status", "x"}})});
  auto e = parse(Exporter(fleet).scrape());
  EXPECT_TRUE(
      e.samples.contains(R"(netpower_agent_up{agent="pdu1",data_center="dc",rack_id="r1"})"))
      << Exporter(fleet).scrape();
}

TEST(ExporterLabels, AgentBytesAreValidUtf8InTheExposition) {
  state::FleetState fleet({agent("pdu1", {})});
  fleet.apply_poll(poll_result("pdu1", sentry2_walk("loc", {{"A", "caf\xC3\xA9"}},
                                                    {{"A1", "bad\xFFname", "On"},
                                                     {"A2", "two\nlines\t\"q\"\\", "On"},
                                                     {"A3", "\xC3", "On"},
                                                     {"A4", "\xE2\x82\xAC ok", "On"}})));
  auto e = parse(Exporter(fleet).scrape());
  const std::string base = R"(netpower_port_power_on{agent="pdu1",board="A",)";
  EXPECT_EQ(value_of(e, base + "port=\"A1\",name=\"bad\xEF\xBF\xBDname\",group=\"\"}"), 1);
  EXPECT_EQ(value_of(e, base + R"(port="A2",name="two lines \"q\"\\",group=""})"), 1);
  EXPECT_EQ(value_of(e, base + "port=\"A3\",name=\"\xEF\xBF\xBD\",group=\"\"}"), 1);
  EXPECT_EQ(value_of(e, base + "port=\"A4\",name=\"\xE2\x82\xAC ok\",group=\"\"}"), 1);
  EXPECT_TRUE(
      e.samples.contains("netpower_board_info{agent=\"pdu1\",board=\"A\",name=\"caf\xC3\xA9\",code_"
                         "version=\"v4.0c\"}"));
}

// promtool (Debian package `prometheus`) on a real scrape of a realistic fleet: 40 agents of 26
// boards, UPSes on battery and on mains, agents down, traps, every health family.
TEST(ExporterPromtool, CheckMetricsReportsNothing) {
  const std::string promtool = NETPOWER_PROMTOOL;
  ASSERT_FALSE(promtool.empty() || !std::filesystem::exists(promtool))
      << "promtool not found: install the Debian package `prometheus` (scripts/install-deps.sh) "
         "and re-run cmake";
  FleetShape shape;
  shape.agents = 40;
  auto agents = fleet_agents(shape);
  agents[1].labels["data-center"] = "eu west";  // sanitized to data_center
  state::FleetState fleet(agents);
  fill_fleet(fleet, shape);
  fleet.apply_trap(sentry2_port_trap("10.9.9.9", 5, "A1", 4, "Off"));
  TestHealth health;
  health.poller = [] { return poller::PollerMetrics{40, 34, 6, 80, 6, 250, 4, 9000}; };
  health.traps = [] { return traps::TrapCounters{41, 40, 1}; };
  health.store = [] {
    store::StoreMetrics s;
    s.down_since = model::wall_now();
    return s;
  };
  const std::string text = Exporter(fleet, health).scrape();
  ASSERT_GT(text.size(), 1000000u);

  const auto dir = std::filesystem::temp_directory_path() /
                   ("netpower-exporter-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto input = dir / "metrics.txt";
  const auto output = dir / "promtool.out";
  std::ofstream(input) << text;
  const std::string command =
      promtool + " check metrics < " + input.string() + " > " + output.string() + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(output);
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(status, 0) << report;
  EXPECT_EQ(report, "");
}

}  // namespace
}  // namespace netpower::manager::exporter
