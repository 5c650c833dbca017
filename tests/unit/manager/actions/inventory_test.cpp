// The `hosts:` and `actions:` sections: what they hold, and every mistake refused with its line.

#include "manager/actions/inventory.h"

#include <gtest/gtest.h>

#include "core/config_error.h"
#include "tests/unit/manager/actions/actions_fixture.h"

namespace netpower::manager::actions::testing {
namespace {

using namespace std::chrono_literals;

// The fixture's agents and trap users, then `rest`.
std::string with(const std::string& rest) {
  std::string base = kConfig;
  return base.substr(0, base.find("hosts:")) + rest;
}

// The error of loading `text`: "file:line:column: problem".
std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(InventoryTest, ReadsHostsOutletsAnswersAndSettings) {
  const auto l = load();
  const auto& inv = l.inventory;
  ASSERT_EQ(inv.hosts.size(), 4u);
  const auto* web1 = inv.host("web1");
  ASSERT_NE(web1, nullptr);
  EXPECT_EQ(web1->id, "id-web1");
  EXPECT_EQ(web1->user, "web1-user");
  EXPECT_EQ(web1->heartbeat, 100ms);
  EXPECT_EQ(web1->answer, AnswerMode::kNetpowerHost);
  ASSERT_EQ(web1->outlets.size(), 1u);
  EXPECT_EQ(web1->outlets[0], (model::OutletRef{"pdu1", "A1"}));
  const auto* db1 = inv.host("db1");
  ASSERT_EQ(db1->outlets.size(), 2u);
  EXPECT_EQ(db1->outlets[1], (model::OutletRef{"pdu2", "B1"}));
  EXPECT_EQ(inv.host_on({"pdu2", "B1"}), db1);
  EXPECT_EQ(inv.host_on({"pdu2", "B2"}), nullptr);
  EXPECT_EQ(inv.host_by_id("id-db1"), db1);
  const auto* router = inv.host("router");
  EXPECT_EQ(router->answer, AnswerMode::kTrap);
  EXPECT_EQ(router->trap_oid, "1.3.6.1.6.3.1.1.5.4");
  EXPECT_EQ(router->trap_address, "10.0.0.9");
  EXPECT_FALSE(inv.host("dumb")->can_answer());
  EXPECT_EQ(inv.settings.answer_timeout, 100ms);
  EXPECT_EQ(inv.settings.switch_timeout, 50ms);
  EXPECT_EQ(inv.settings.verify_timeout, 200ms);
  EXPECT_EQ(inv.settings.verify_interval, 20ms);
  EXPECT_EQ(inv.settings.off_time, 300ms);
  EXPECT_EQ(inv.settings.boot_timeout, 1s);
  EXPECT_EQ(inv.heartbeat_timeout(*web1), 200ms);
}

TEST(InventoryTest, DefaultsWithoutTheSections) {
  const auto l = load(with(""));
  EXPECT_TRUE(l.inventory.hosts.empty());
  const auto& s = l.inventory.settings;
  EXPECT_EQ(s.answer_timeout, 5s);
  EXPECT_EQ(s.off_time, 15s);
  EXPECT_EQ(s.boot_timeout, 10min);
  EXPECT_EQ(s.heartbeat_timeout, 2.5);
  EXPECT_EQ(s.max_in_flight, 256u);
}

TEST(InventoryTest, PortIdsAreNormalized) {
  EXPECT_EQ(port_id("A1"), "A1");
  EXPECT_EQ(port_id(".c3"), "C3");
  EXPECT_EQ(port_id("A5"), "");
  EXPECT_EQ(port_id("AA1"), "");
  EXPECT_EQ(port_id(""), "");
}

struct Bad {
  const char* yaml;
  const char* where;    // "manager.yaml:<line>:"
  const char* message;  // part of the problem
};

class InventoryErrorTest : public ::testing::TestWithParam<Bad> {};

TEST_P(InventoryErrorTest, IsRefusedWithItsLine) {
  const auto& bad = GetParam();
  const auto error = error_of(with(bad.yaml));
  EXPECT_NE(error.find(bad.where), std::string::npos) << error;
  EXPECT_NE(error.find(bad.message), std::string::npos) << error;
}

// The fixture's part above `hosts:` has 19 lines, so `hosts:` is line 20.
INSTANTIATE_TEST_SUITE_P(
    Mistakes, InventoryErrorTest,
    ::testing::Values(
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu9.A1]\n",
            "manager.yaml:24:", "no agent named 'pdu9'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A9]\n",
            "manager.yaml:24:", "not a port id"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: nobody\n    outlets: [pdu1.A1]\n",
            "manager.yaml:23:", "not one of traps.users"},
        Bad{"hosts:\n  - name: a\n    user: web1-user\n    outlets: [pdu1.A1]\n",
            "manager.yaml:21:", "needs its 'id'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    outlets: [pdu1.A1]\n",
            "manager.yaml:21:", "needs its SNMPv3 'user'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: []\n",
            "manager.yaml:24:", "needs 'outlets'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n"
            "    outlets: [pdu1.A1, pdu1.A2, pdu1.A3]\n",
            "manager.yaml:24:", "two for a dual-corded host"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n"
            "  - name: b\n    id: y\n    user: db1-user\n    outlets: [pdu1.A1]\n",
            "manager.yaml:28:", "already the outlet of host 'a'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n"
            "  - name: a\n    id: y\n    user: db1-user\n    outlets: [pdu1.A2]\n",
            "manager.yaml:25:", "host name 'a' is already used by the host at line 21"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n"
            "  - name: b\n    id: x\n    user: db1-user\n    outlets: [pdu1.A2]\n",
            "manager.yaml:26:", "host id 'x' is already used"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n"
            "  - name: b\n    id: y\n    user: web1-user\n    outlets: [pdu1.A2]\n",
            "manager.yaml:27:", "user 'web1-user' is already used"},
        Bad{"hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n"
            "    color: blue\n",
            "manager.yaml:25:", "unknown key 'color'"},
        Bad{"hosts:\n  - name: a\n    id: x\n    id: y\n    user: web1-user\n"
            "    outlets: [pdu1.A1]\n",
            "manager.yaml:23:", "duplicate key 'id'"},
        Bad{"hosts:\n  - name: a\n    outlets: [pdu1.A1]\n    answer: sometimes\n",
            "manager.yaml:23:", "'answer' must be"},
        Bad{"hosts:\n  - name: a\n    outlets: [pdu1.A1]\n"
            "    answer: {trap: {oid: 1.3.6.1.6.3.1.1.5.4, address: router.example}}\n",
            "manager.yaml:23:", "numeric 'address'"},
        Bad{"hosts:\n  - name: a\n    answer: none\n    outlets: [{agent: pdu1}]\n",
            "manager.yaml:23:", "needs 'agent' and 'port'"},
        Bad{"actions:\n  answer_timeout: 0ms\n",
            "manager.yaml:21:", "'answer_timeout' must be between"},
        Bad{"actions:\n  verify_timeout: 1s\n  verify_interval: 2s\n",
            "manager.yaml:22:", "must not be longer than 'verify_timeout'"},
        Bad{"actions:\n  heartbeat_timeout: 0.5\n", "manager.yaml:21:", "heartbeat_timeout"},
        Bad{"actions:\n  retry: 3\n", "manager.yaml:21:", "unknown key 'retry'"}));

TEST(InventoryTest, AHostsUserNeedsTheTrapReceiver) {
  auto text = with("hosts:\n  - name: a\n    id: x\n    user: web1-user\n    outlets: [pdu1.A1]\n");
  auto config = config::parse_manager_config(text, "manager.yaml");
  try {
    read_inventory(config, nullptr);
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trap receiver, which is off"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace netpower::manager::actions::testing
