// netpower-agent end to end: a real snmpd master on loopback with a private AgentX socket, the real
// agent binary with a simulated chain, and the net-snmp command-line tools over UDP.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "tests/integration/agent_process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kRoot = "1.3.6.1.4.1.1718.2";
const std::string kBoardEntry = kRoot + ".1.3.1";
const std::string kPortEntry = kRoot + ".1.4.1";

// OID suffixes of the fixed-size string indexes, computed here independently of the agent.
std::string board_suffix(char board) { return std::to_string(static_cast<int>(board)); }
std::string port_suffix(const std::string& port) {
  return std::to_string(static_cast<int>(port[0])) + "." +
         std::to_string(static_cast<int>(port[1]));
}
std::string port_oid(int column, const std::string& port) {
  return kPortEntry + "." + std::to_string(column) + "." + port_suffix(port);
}
std::string board_oid(int column, char board) {
  return kBoardEntry + "." + std::to_string(column) + "." + board_suffix(board);
}

std::string amps(double a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fA", a);
  return buf;
}

// What the patent's screen shows for a simulated port / board, derived from the sim's raw state.
std::string expected_control(const json& port) { return port["relay_on"] ? "On" : "Off"; }
std::string expected_module(const json& port) {
  if (!port["responding"].get<bool>()) return "No Rspns";
  bool relay = port["relay_on"], sensed = port["power_sensed"];
  if (relay && !sensed) return "OnS Fail";
  if (!relay && sensed) return "Off Fail";
  return "Normal";
}
std::string expected_load(const json& port) {
  if (!port["responding"].get<bool>() || port["load"].is_null()) return "N/A";
  double load = port["load"];
  if (!port["relay_on"].get<bool>() && load < 0.005) return "Not On";
  return amps(load);
}
std::string expected_temperature(const json& board) {
  if (board["temperature"].is_null() || !board["responding"].get<bool>()) return "N/A";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f Deg C", board["temperature"].get<double>());
  return buf;
}
std::string expected_input_load(const json& board) {
  if (board["input_load"].is_null() || !board["responding"].get<bool>()) return "N/A";
  return amps(board["input_load"]);
}

class AgentSentry2Test : public ::testing::Test {
 protected:
  void start(AgentSetup setup) {
    snmpd_ = std::make_unique<SnmpdServer>();
    snmpd_->start();
    agent_ = std::make_unique<AgentProcess>(*snmpd_, std::move(setup));
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  }
  void TearDown() override {
    if (HasFailure() && agent_) std::cerr << "agent log:\n" << agent_->log_text() << "\n";
  }
  std::string get_string(const std::string& oid) {
    auto r = cli_->get({oid});
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.varbinds.empty() ? "" : r.varbinds[0].value;
  }
  // Values of a walk by OID; also checks that the OIDs come in strictly increasing order.
  std::map<std::string, Varbind> walk(bool bulk) {
    auto r = bulk ? cli_->bulk_walk(kRoot, 25) : cli_->walk(kRoot);
    EXPECT_TRUE(r.ok()) << r.describe();
    std::map<std::string, Varbind> out;
    std::string previous;
    for (const auto& vb : r.varbinds) {
      EXPECT_EQ(vb.oid.rfind(kRoot + ".", 0), 0u) << "left the subtree: " << vb.oid;
      if (!previous.empty()) {
        EXPECT_TRUE(oid_less(previous, vb.oid)) << previous << " !< " << vb.oid;
      }
      previous = vb.oid;
      out[vb.oid] = vb;
    }
    return out;
  }
  static bool oid_less(const std::string& a, const std::string& b) {
    auto parts = [](const std::string& s) {
      std::vector<unsigned long> v;
      std::size_t pos = 0;
      while (pos < s.size()) {
        auto dot = s.find('.', pos);
        if (dot == std::string::npos) dot = s.size();
        v.push_back(std::stoul(s.substr(pos, dot - pos)));
        pos = dot + 1;
      }
      return v;
    };
    return parts(a) < parts(b);
  }
  // Every value of the MIB against the simulator's state (and the configured names).
  void expect_walk_matches_sim(bool bulk, const std::map<std::string, std::string>& port_names,
                               const std::map<char, std::string>& page_names,
                               const std::string& location) {
    auto values = walk(bulk);
    auto state = agent_->sim().state();
    auto boards = state["boards"];
    std::size_t expected_count = 2 + boards.size() * 4 + boards.size() * 4 * 5 + 2;
    EXPECT_EQ(values.size(), expected_count);
    EXPECT_EQ(values[kRoot + ".1.1.0"].value, location);
    EXPECT_EQ(values[kRoot + ".1.2.0"].value,
              std::string(1, static_cast<char>('A' + boards.size() - 1)));
    for (const auto& board : boards) {
      char id = board["id"].get<std::string>()[0];
      auto page = page_names.count(id) ? page_names.at(id) : "";
      EXPECT_EQ(values[board_oid(2, id)].value, page) << id;
      EXPECT_EQ(values[board_oid(3, id)].value, board["code_version"].get<std::string>()) << id;
      EXPECT_EQ(values[board_oid(4, id)].value, expected_temperature(board)) << id;
      EXPECT_EQ(values[board_oid(5, id)].value, expected_input_load(board)) << id;
      EXPECT_EQ(values.count(board_oid(1, id)), 0u) << "the index column is not-accessible";
      for (const auto& port : board["ports"]) {
        auto pid = port["id"].get<std::string>();
        auto name = port_names.count(pid) ? port_names.at(pid) : "";
        EXPECT_EQ(values[port_oid(2, pid)].type, "INTEGER") << pid;
        EXPECT_EQ(values[port_oid(2, pid)].value, "4") << pid << ": a GET returns noop";
        EXPECT_EQ(values[port_oid(3, pid)].value, name) << pid;
        EXPECT_EQ(values[port_oid(4, pid)].value, expected_control(port)) << pid;
        EXPECT_EQ(values[port_oid(5, pid)].value, expected_module(port)) << pid;
        EXPECT_EQ(values[port_oid(6, pid)].value, expected_load(port)) << pid;
      }
    }
    EXPECT_EQ(values[kRoot + ".2.1.0"].type, "INTEGER");
    EXPECT_EQ(values[kRoot + ".2.2.0"].value, "0");
  }

  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

const char* kNamedChain =
    "  location: \"Lab rack 7, row C\"\n"
    "  boards:\n"
    "    A: { page: \"Network\" }\n"
    "    C: { page: \"Storage shelf\" }\n"
    "  ports:\n"
    "    A1: { name: \"core-router\" }\n"
    "    B3: { name: \"db1\", min_off: 20s }\n"
    "    D4: { name: \"a-name-of-24-characters!\" }\n";

const char* kVariedSim =
    "    temperature: 27.0\n"
    "    board_temperatures: { B: 41.5, D: -3.25 }\n"
    "    appliances:\n"
    "      A1: { load: 1.2 }\n"
    "      A2: { load: 0.75, initial: off }\n"
    "      B3: { load: 12.5 }\n"
    "      C4: { load: 60 }\n";

TEST_F(AgentSentry2Test, WalkAndBulkWalkMatchTheSimulator) {
  start({.boards = 4, .chain_yaml = kNamedChain, .sim_yaml = kVariedSim});
  std::map<std::string, std::string> names = {
      {"A1", "core-router"}, {"B3", "db1"}, {"D4", "a-name-of-24-characters!"}};
  std::map<char, std::string> pages = {{'A', "Network"}, {'C', "Storage shelf"}};
  expect_walk_matches_sim(false, names, pages, "Lab rack 7, row C");
  // Faults change what the MIB shows; the walk must follow.
  auto sim = agent_->sim();
  sim.must("fault A3 on-sense");
  sim.must("fault B2 no-response");
  sim.must("fault C no-response");
  sim.must("temperature A none");
  sim.must("load C4 33.3");
  ASSERT_TRUE(wait_until([&]() { return get_string(port_oid(5, "B2")) == "No Rspns"; }, 5s, 20ms));
  expect_walk_matches_sim(true, names, pages, "Lab rack 7, row C");
  EXPECT_EQ(get_string(port_oid(5, "A3")), "OnS Fail");
  EXPECT_EQ(get_string(board_oid(4, 'A')), "N/A");
  EXPECT_EQ(get_string(board_oid(4, 'D')), "-3.2 Deg C");
  EXPECT_EQ(get_string(port_oid(6, "A2")), "Not On");
}

TEST_F(AgentSentry2Test, PowerOffAndOnSwitchTheSimulatedPort) {
  start({.boards = 2, .sim_yaml = "    appliances:\n      B2: { load: 2.5 }\n"});
  auto sim = agent_->sim();
  auto set = cli_->set(port_oid(2, "B2"), 'i', "1");
  ASSERT_TRUE(set.ok()) << set.describe();
  EXPECT_FALSE(sim.state()["boards"][1]["ports"][1]["relay_on"].get<bool>());
  EXPECT_EQ(get_string(port_oid(4, "B2")), "Off");
  EXPECT_EQ(get_string(port_oid(6, "B2")), "Not On");
  EXPECT_EQ(get_string(board_oid(5, 'B')), "0.00A");

  set = cli_->set(port_oid(2, "B2"), 'i', "2");
  ASSERT_TRUE(set.ok()) << set.describe();
  EXPECT_TRUE(sim.state()["boards"][1]["ports"][1]["relay_on"].get<bool>());
  EXPECT_EQ(get_string(port_oid(4, "B2")), "On");
  EXPECT_EQ(get_string(port_oid(6, "B2")), "2.50A");
  EXPECT_EQ(get_string(board_oid(5, 'B')), "2.50A");

  // noop changes nothing, and a GET still answers noop.
  set = cli_->set(port_oid(2, "B2"), 'i', "4");
  ASSERT_TRUE(set.ok()) << set.describe();
  EXPECT_EQ(get_string(port_oid(4, "B2")), "On");
  EXPECT_EQ(get_string(port_oid(2, "B2")), "4");
  EXPECT_EQ(sim.history("B2").size(), 3u) << sim.history("B2").dump();  // initial, off, on

  // A port switched at the unit itself is adopted by the agent.
  sim.must("switch A4 off");
  EXPECT_TRUE(wait_until([&]() { return get_string(port_oid(4, "A4")) == "Off"; }, 5s, 20ms));
}

// The agent's clock runs 20x faster: the 15 s delay takes 750 ms. The sim stamps every relay change
// with the agent's clock, so the delay is measured in the agent's own time, exactly.
TEST_F(AgentSentry2Test, RebootWaitsMaxOf15sAndMinimumOffTime) {
  start({.boards = 2,
         .time_scale = 20,
         .chain_yaml = "  ports:\n    B3: { min_off: 20s }\n    A2: { min_off: 10s }\n"});
  auto sim = agent_->sim();
  auto off_on_gap_ms = [&](const std::string& port) -> long {
    auto history = sim.history(port);
    // [initial on, off, on]
    if (history.size() != 3) return -1;
    EXPECT_FALSE(history[1]["on"].get<bool>());
    EXPECT_TRUE(history[2]["on"].get<bool>());
    return history[2]["t_ms"].get<long>() - history[1]["t_ms"].get<long>();
  };

  for (const std::string port : {"A1", "A2", "B3"}) {
    auto set = cli_->set(port_oid(2, port), 'i', "3");
    ASSERT_TRUE(set.ok()) << set.describe();
  }
  // Right after the SET the ports are off and show the reboot.
  EXPECT_EQ(get_string(port_oid(4, "A1")), "Reboot");
  EXPECT_EQ(get_string(port_oid(6, "B3")), "Not On");
  // A second reboot during the first is not stacked: A1 still comes back 15 s after the first.
  ASSERT_TRUE(cli_->set(port_oid(2, "A1"), 'i', "3").ok());

  ASSERT_TRUE(wait_until([&]() { return sim.history("B3").size() == 3; }, 10s, 20ms))
      << sim.history("B3").dump();
  ASSERT_TRUE(wait_until([&]() { return get_string(port_oid(4, "B3")) == "On"; }, 5s, 20ms));
  EXPECT_EQ(get_string(port_oid(4, "A1")), "On");
  // The edge: never before the delay, and within a little scheduling slack (2 agent seconds = 40
  // ms).
  long a1 = off_on_gap_ms("A1"), a2 = off_on_gap_ms("A2"), b3 = off_on_gap_ms("B3");
  EXPECT_GE(a1, 15000);
  EXPECT_LT(a1, 18000);
  EXPECT_GE(a2, 15000) << "min_off 10s < 15s: the 15 s floor applies";
  EXPECT_LT(a2, 18000);
  EXPECT_GE(b3, 20000) << "min_off 20s > 15s: the port stays off 20 s";
  EXPECT_LT(b3, 23000);
}

TEST_F(AgentSentry2Test, PowerOnDuringRebootCancelsIt) {
  start({.boards = 1, .time_scale = 20});
  auto sim = agent_->sim();
  ASSERT_TRUE(cli_->set(port_oid(2, "A1"), 'i', "3").ok());
  ASSERT_TRUE(cli_->set(port_oid(2, "A2"), 'i', "3").ok());
  EXPECT_EQ(get_string(port_oid(4, "A1")), "Reboot");
  ASSERT_TRUE(cli_->set(port_oid(2, "A1"), 'i', "2").ok());  // on at once
  ASSERT_TRUE(cli_->set(port_oid(2, "A2"), 'i', "1").ok());  // stays off
  EXPECT_EQ(get_string(port_oid(4, "A1")), "On");
  EXPECT_EQ(get_string(port_oid(4, "A2")), "Off");
  // Well past the 15 s (750 ms real): nothing switches again.
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(sim.history("A1").size(), 3u) << sim.history("A1").dump();
  EXPECT_EQ(sim.history("A2").size(), 2u) << sim.history("A2").dump();
  EXPECT_EQ(get_string(port_oid(4, "A2")), "Off");
  // A reboot of a port that is off turns it on at once.
  ASSERT_TRUE(cli_->set(port_oid(2, "A2"), 'i', "3").ok());
  EXPECT_EQ(get_string(port_oid(4, "A2")), "On");
}

TEST_F(AgentSentry2Test, BadSetsGetTheRightSnmpErrors) {
  start({.boards = 4});
  auto expect_error = [&](const std::string& oid, char type, const std::string& value,
                          const std::string& error) {
    auto r = cli_->set(oid, type, value);
    EXPECT_EQ(r.error, error) << oid << " " << type << " " << value << "\n" << r.describe();
  };
  expect_error(port_oid(2, "A1"), 'i', "0", "wrongValue");
  expect_error(port_oid(2, "A1"), 'i', "5", "wrongValue");
  expect_error(port_oid(2, "A1"), 'i', "-1", "wrongValue");
  expect_error(port_oid(2, "A1"), 's', "reboot", "wrongType");
  expect_error(port_oid(2, "A1"), 'u', "1", "wrongType");
  expect_error(port_oid(2, "A5"), 'i', "1", "noCreation");  // no port 5
  expect_error(port_oid(2, "E1"), 'i', "1", "noCreation");  // board E not in a 4-board chain
  expect_error(kPortEntry + ".2.2.65.49", 'i', "1", "noCreation");  // index with a length byte
  expect_error(port_oid(3, "A1"), 's', "renamed", "notWritable");
  expect_error(board_oid(2, 'A'), 's', "renamed", "notWritable");
  expect_error(kRoot + ".1.1.0", 's', "somewhere", "notWritable");
  // Nothing was switched by any of them.
  EXPECT_EQ(agent_->sim().history("A1").size(), 1u);
  // GETs of what is not there.
  auto r = cli_->get({port_oid(4, "E1"), kPortEntry + ".9.65.49", kRoot + ".1.1.1"});
  ASSERT_EQ(r.varbinds.size(), 3u) << r.describe();
  EXPECT_EQ(r.varbinds[0].type, "noSuchInstance");
  EXPECT_EQ(r.varbinds[1].type, "noSuchObject");
  EXPECT_EQ(r.varbinds[2].type, "noSuchInstance");
  // The agent is still there.
  EXPECT_EQ(get_string(kRoot + ".1.2.0"), "D");
}

TEST_F(AgentSentry2Test, HardwareFailuresAnswerGenErrAndFillTheErrorGroup) {
  start({.boards = 2});
  auto sim = agent_->sim();
  sim.must("fault A3 no-response");
  auto r = cli_->set(port_oid(2, "A3"), 'i', "1");
  EXPECT_EQ(r.error, "genErr") << r.describe();
  EXPECT_EQ(get_string(kRoot + ".2.2.0"), "400");
  EXPECT_NE(get_string(kRoot + ".2.1.0"), "0");

  sim.must("unplug");
  ASSERT_TRUE(wait_until([&]() { return get_string(port_oid(5, "B1")) == "No Rspns"; }, 5s, 20ms));
  EXPECT_EQ(get_string(port_oid(6, "B1")), "N/A");
  EXPECT_EQ(get_string(board_oid(4, 'B')), "N/A");
  r = cli_->set(port_oid(2, "B1"), 'i', "3");
  EXPECT_EQ(r.error, "genErr") << r.describe();
  EXPECT_EQ(get_string(kRoot + ".2.2.0"), "200");
  EXPECT_TRUE(sim.state()["boards"][1]["ports"][0]["relay_on"].get<bool>());

  sim.must("plug");
  ASSERT_TRUE(wait_until([&]() { return get_string(port_oid(5, "B1")) == "Normal"; }, 5s, 20ms));
  r = cli_->set(port_oid(2, "B1"), 'i', "1");
  EXPECT_TRUE(r.ok()) << r.describe();
}

TEST_F(AgentSentry2Test, TwentySixBoardsWalkCompletely) {
  start({.boards = 26});
  auto r = cli_->bulk_walk(kRoot, 50);
  ASSERT_TRUE(r.ok()) << r.describe();
  std::set<std::string> board_rows, port_rows;
  std::size_t board_values = 0, port_values = 0;
  for (const auto& vb : r.varbinds) {
    if (vb.oid.rfind(kBoardEntry + ".", 0) == 0) {
      ++board_values;
      board_rows.insert(vb.oid.substr(vb.oid.rfind('.') + 1));
    } else if (vb.oid.rfind(kPortEntry + ".", 0) == 0) {
      ++port_values;
      auto rest = vb.oid.substr(kPortEntry.size() + 1);
      port_rows.insert(rest.substr(rest.find('.') + 1));
    }
  }
  EXPECT_EQ(board_rows.size(), 26u);
  EXPECT_EQ(port_rows.size(), 104u);
  EXPECT_EQ(board_values, 26u * 4);
  EXPECT_EQ(port_values, 104u * 5);
  EXPECT_TRUE(board_rows.count("90"));    // Z
  EXPECT_TRUE(port_rows.count("90.52"));  // Z4
  EXPECT_EQ(get_string(kRoot + ".1.2.0"), "Z");
  // The 27th board does not exist.
  auto set = cli_->set(kPortEntry + ".2.91.49", 'i', "1");
  EXPECT_EQ(set.error, "noCreation") << set.describe();
}

TEST_F(AgentSentry2Test, GetNextAndGetBulkLeaveTheSubtreeCleanly) {
  start({.boards = 1});
  auto r = cli_->get_next({kRoot + ".2.2.0"});
  ASSERT_EQ(r.varbinds.size(), 1u) << r.describe();
  EXPECT_NE(r.varbinds[0].oid.rfind(kRoot + ".", 0), 0u) << "GETNEXT past the last object";
  // From before the subtree, GETNEXT lands on its first object.
  r = cli_->get_next({"1.3.6.1.4.1.1718"});
  ASSERT_EQ(r.varbinds.size(), 1u) << r.describe();
  EXPECT_EQ(r.varbinds[0].oid, kRoot + ".1.1.0");
  // A GETBULK that runs over the end continues outside, with our last two objects first.
  r = cli_->bulk_get(0, 4, {kRoot + ".1.4.1.6.65.52"});
  ASSERT_EQ(r.varbinds.size(), 4u) << r.describe();
  EXPECT_EQ(r.varbinds[0].oid, kRoot + ".2.1.0");
  EXPECT_EQ(r.varbinds[1].oid, kRoot + ".2.2.0");
  EXPECT_NE(r.varbinds[2].oid.rfind(kRoot + ".", 0), 0u);
  // Between two columns: the next column's first row.
  r = cli_->get_next({kPortEntry + ".3.65.52"});
  ASSERT_EQ(r.varbinds.size(), 1u);
  EXPECT_EQ(r.varbinds[0].oid, port_oid(4, "A1"));
  r = cli_->get_next({kPortEntry + ".3.65.52.1"});
  EXPECT_EQ(r.varbinds[0].oid, port_oid(4, "A1"));
  r = cli_->get_next({kPortEntry + ".3.65"});
  EXPECT_EQ(r.varbinds[0].oid, port_oid(3, "A1"));
}

TEST_F(AgentSentry2Test, AgentServesAgainAfterSnmpdIsKilledAndRestarted) {
  start({.boards = 3});
  snmpd_->kill();
  snmpd_->start();
  bool served = wait_until(
      [&]() {
        auto r = cli_->get({kRoot + ".1.2.0"});
        return r.ok() && r.varbinds.size() == 1 && r.varbinds[0].value == "C";
      },
      30s, 100ms);
  ASSERT_TRUE(served) << "agent log:\n" << agent_->log_text();
  EXPECT_TRUE(agent_->process().running());
  // Not only reads: a SET reaches the hardware through the new session too.
  auto set = cli_->set(port_oid(2, "C2"), 'i', "1");
  ASSERT_TRUE(set.ok()) << set.describe();
  EXPECT_FALSE(agent_->sim().state()["boards"][2]["ports"][1]["relay_on"].get<bool>());
  // And once more, with a clean stop this time.
  snmpd_->restart();
  EXPECT_TRUE(wait_until([&]() { return cli_->get({kRoot + ".1.2.0"}).ok(); }, 30s, 100ms));
}

TEST_F(AgentSentry2Test, AgentStartedBeforeTheMasterConnectsWhenItComes) {
  snmpd_ = std::make_unique<SnmpdServer>();
  snmpd_->start();
  snmpd_->stop();
  agent_ = std::make_unique<AgentProcess>(*snmpd_, AgentSetup{.boards = 2});
  agent_->spawn();
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(agent_->process().running()) << agent_->log_text();
  snmpd_->start();
  cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  EXPECT_TRUE(wait_until([&]() { return cli_->get({kRoot + ".1.2.0"}).ok(); }, 30s, 100ms))
      << agent_->log_text();
}

TEST_F(AgentSentry2Test, BadConfigurationStopsWithFileAndLine) {
  snmpd_ = std::make_unique<SnmpdServer>();
  agent_ = std::make_unique<AgentProcess>(
      *snmpd_, AgentSetup{.boards = 2, .chain_yaml = "  location: x\n  ports:\n    A9: {}\n"});
  agent_->spawn();
  auto status = agent_->process().wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 2);
  auto log = agent_->log_text();
  // The line of "A9:" in the file the fixture wrote.
  std::ifstream file(agent_->config_path());
  int line = 0;
  int a9_line = 0;
  for (std::string text; std::getline(file, text);) {
    ++line;
    if (text.find("A9:") != std::string::npos) a9_line = line;
  }
  ASSERT_GT(a9_line, 0);
  EXPECT_NE(log.find(agent_->config_path().string() + ":" + std::to_string(a9_line) + ":"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("'A9' is not a port"), std::string::npos) << log;
}

TEST_F(AgentSentry2Test, BadSimulatorSettingsStopWithFileAndLine) {
  snmpd_ = std::make_unique<SnmpdServer>();
  agent_ = std::make_unique<AgentProcess>(*snmpd_, AgentSetup{.boards = 27});
  agent_->spawn();
  auto status = agent_->process().wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 2);
  auto log = agent_->log_text();
  EXPECT_NE(log.find(agent_->config_path().string() + ":"), std::string::npos) << log;
  EXPECT_NE(log.find("27"), std::string::npos) << log;
}

}  // namespace
}  // namespace netpower::testing
