// Target resolution: hosts, outlets by id, absolute id or port name, groups, label selectors and
// whole agents, dual-corded hosts expanded to both outlets, unknown targets named.

#include "manager/actions/target_resolver.h"

#include <gtest/gtest.h>

#include "tests/unit/manager/actions/actions_fixture.h"
#include "tests/unit/manager/state/poll_builder.h"

namespace netpower::manager::actions::testing {
namespace {

using manager::testing::np_port_oid;
using manager::testing::port_oid;
using manager::testing::str;

class ResolverTest : public ::testing::Test {
 protected:
  ResolverTest() {
    poll("pdu1", {{"A1", "web1-psu", "web"},
                  {"A2", "db1-psu-a", "db"},
                  {"A3", "router", ""},
                  {"A4", "lamp", ""},
                  {"B1", "spare", "web"}});
    poll("pdu2", {{"B1", "db1-psu-b", "db"}, {"B2", "spare", "web"}});
  }

  struct Row {
    const char* id;
    const char* name;
    const char* group;
  };
  void poll(const std::string& agent, const std::vector<Row>& rows) {
    poller::PollResult r;
    r.agent = agent;
    r.poll_number = 1;
    r.started = model::wall_now();
    for (const auto& row : rows) {
      r.varbinds.push_back(str(port_oid(3, row.id), row.name));
      r.varbinds.push_back(str(port_oid(4, row.id), "On"));
      r.varbinds.push_back(str(np_port_oid(3, row.id), row.group));
    }
    fleet_.apply_poll(r);
  }

  // Each action as "host:outlet+outlet".
  std::vector<std::string> resolve(TargetSpec spec) {
    auto r = resolver_.resolve(spec);
    error_ = r.error;
    std::vector<std::string> out;
    for (const auto& a : r.actions) {
      std::string s = a.host ? a.host->name : "-";
      s += ":";
      for (std::size_t i = 0; i < a.outlets.size(); ++i) s += (i ? "+" : "") + a.outlets[i].text();
      out.push_back(s);
    }
    return out;
  }

  using V = std::vector<std::string>;
  Loaded loaded_ = load();
  state::FleetState fleet_{loaded_.config.agents};
  TargetResolver resolver_{loaded_.config, loaded_.inventory, &fleet_};
  std::string error_;
};

TEST_F(ResolverTest, AHostIsItsOutlets) {
  EXPECT_EQ(resolve({.host = "web1"}), V{"web1:pdu1.A1"});
  EXPECT_EQ(resolve({.host = "db1"}), V{"db1:pdu1.A2+pdu2.B1"});
}

TEST_F(ResolverTest, AnOutletOfADualCordedHostBringsItsOtherOutlet) {
  EXPECT_EQ(resolve({.agent = "pdu2", .port = "B1"}), V{"db1:pdu1.A2+pdu2.B1"});
}

TEST_F(ResolverTest, PortsByIdAbsoluteIdOrName) {
  EXPECT_EQ(resolve({.agent = "pdu1", .port = "A1"}), V{"web1:pdu1.A1"});
  EXPECT_EQ(resolve({.agent = "pdu1", .port = ".A4"}), V{"dumb:pdu1.A4"});
  EXPECT_EQ(resolve({.agent = "pdu1", .port = "spare"}), V{"-:pdu1.B1"});
  EXPECT_EQ(resolve({.agent = "pdu1", .port = "router"}), V{"router:pdu1.A3"});
}

TEST_F(ResolverTest, AGroupOnOneAgentOrEveryAgent) {
  EXPECT_EQ(resolve({.agent = "pdu1", .group = "web"}), (V{"web1:pdu1.A1", "-:pdu1.B1"}));
  EXPECT_EQ(resolve({.group = "web"}), (V{"web1:pdu1.A1", "-:pdu1.B1", "-:pdu2.B2"}));
  // Both outlets of db1 are in group db: one action.
  EXPECT_EQ(resolve({.group = "db"}), V{"db1:pdu1.A2+pdu2.B1"});
}

TEST_F(ResolverTest, ALabelSelectorWithOrWithoutAGroup) {
  EXPECT_EQ(resolve({.selector = "site=fra"}), (V{"db1:pdu1.A2+pdu2.B1", "-:pdu2.B2"}));
  EXPECT_EQ(resolve({.group = "web", .selector = "site=ams, rack=12"}),
            (V{"web1:pdu1.A1", "-:pdu1.B1"}));
}

TEST_F(ResolverTest, AnAgentAloneIsEveryPort) {
  EXPECT_EQ(resolve({.agent = "pdu1"}), (V{"web1:pdu1.A1", "db1:pdu1.A2+pdu2.B1", "router:pdu1.A3",
                                           "dumb:pdu1.A4", "-:pdu1.B1"}));
}

TEST_F(ResolverTest, UnknownTargetsAreNamed) {
  EXPECT_TRUE(resolve({.host = "web9"}).empty());
  EXPECT_EQ(error_, "no host named 'web9' in the inventory");
  EXPECT_TRUE(resolve({.agent = "pdu9", .port = "A1"}).empty());
  EXPECT_EQ(error_, "no agent named 'pdu9'");
  EXPECT_TRUE(resolve({.agent = "pdu1", .port = "C1"}).empty());
  EXPECT_EQ(error_, "agent pdu1 has no port named 'C1'");
  EXPECT_TRUE(resolve({.agent = "pdu1", .port = ".Q9"}).empty());
  EXPECT_TRUE(resolve({.group = "nothing"}).empty());
  EXPECT_EQ(error_, "no port of group 'nothing' on any agent");
  EXPECT_TRUE(resolve({.selector = "site"}).empty());
  EXPECT_NE(error_.find("not a label selector"), std::string::npos);
  EXPECT_TRUE(resolve({.selector = "site=nowhere"}).empty());
  EXPECT_TRUE(resolve({}).empty());
  EXPECT_TRUE(resolve({.host = "web1", .agent = "pdu1"}).empty());
  EXPECT_TRUE(resolve({.port = "A1"}).empty());
}

TEST_F(ResolverTest, BeforeAPollPortIdsAreTakenAsWritten) {
  state::FleetState empty{loaded_.config.agents};
  TargetResolver r{loaded_.config, loaded_.inventory, &empty};
  auto res = r.resolve({.agent = "pdu2", .port = "C4"});
  ASSERT_EQ(res.actions.size(), 1u) << res.error;
  EXPECT_EQ(res.actions[0].outlets[0].text(), "pdu2.C4");
  // The inventory's outlets are known without a poll.
  EXPECT_EQ(r.ports_of("pdu1"), (std::vector<std::string>{"A1", "A2", "A3", "A4"}));
}

TEST_F(ResolverTest, TheTargetsTextForTheAudit) {
  EXPECT_EQ((TargetSpec{.host = "web1"}).text(), "host web1");
  EXPECT_EQ((TargetSpec{.agent = "pdu1", .port = "A1"}).text(), "pdu1 A1");
  EXPECT_EQ((TargetSpec{.agent = "pdu1", .group = "web"}).text(), "group web on pdu1");
  EXPECT_EQ((TargetSpec{.selector = "site=ams,rack=12"}).text(), "site=ams,rack=12");
  EXPECT_EQ((TargetSpec{.agent = "pdu1"}).text(), "pdu1");
}

TEST_F(ResolverTest, DiscoveryAgents) {
  std::string error;
  EXPECT_EQ(resolver_.agents({.selector = "site=ams"}, error), (V{"pdu1"}));
  EXPECT_EQ(resolver_.agents({}, error), (V{"pdu1", "pdu2"}));
  EXPECT_TRUE(resolver_.agents({.agent = "pdu9"}, error).empty());
  EXPECT_EQ(error, "no agent named 'pdu9'");
}

}  // namespace
}  // namespace netpower::manager::actions::testing
