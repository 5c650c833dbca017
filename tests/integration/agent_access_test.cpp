// The access model end to end: the VACM lines that the real `netpower-agent --snmpd-access` prints
// for the agent's access list, and the v2c community model of deploy/snmpd/snmpd-communities.conf,
// both loaded by a real snmpd in front of the real agent with a simulated chain. snmpd enforces
// them: the subagent never learns who asked.

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "tests/integration/agent_process.h"
#include "tests/support/process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/trap_receiver.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kSysLocation = "1.3.6.1.2.1.1.6.0";
const std::string kPortEntry = "1.3.6.1.4.1.1718.2.1.4.1";
const std::string kChainLocation = "1.3.6.1.4.1.1718.2.1.1.0";
const std::string kErrorCode = "1.3.6.1.4.1.1718.2.2.2.0";
// NETPOWER-MIB (agent/snmp/netpower_oids.h): netpowerChainLocation.0 and the group-action columns.
const std::string kNpChainLocation = "1.3.6.1.4.1.32473.1.1.1.1.0";
const std::string kNpGroupActionEntry = "1.3.6.1.4.1.32473.1.1.4.1";
const std::string kColdStart = ".1.3.6.1.6.3.1.1.5.1";

// sentry2PortPowerAction values.
const std::string kPowerOff = "1";
const std::string kPowerOn = "2";

std::string port_oid(int column, const std::string& port) {
  return kPortEntry + "." + std::to_string(column) + "." +
         std::to_string(static_cast<int>(port[0])) + "." +
         std::to_string(static_cast<int>(port[1]));
}
std::string power_action(const std::string& port) { return port_oid(2, port); }
std::string control_status(const std::string& port) { return port_oid(4, port); }
// A column of a user's netpowerGroupActionTable row: the index is the length-prefixed name.
std::string group_action(int column, const std::string& user) {
  std::string oid =
      kNpGroupActionEntry + "." + std::to_string(column) + "." + std::to_string(user.size());
  for (unsigned char c : user) oid += "." + std::to_string(c);
  return oid;
}

// VACM refusals as the tools name them: a variable outside the write view is noAccess, a request
// that VACM refuses as a whole is authorizationError.
bool access_error(const SnmpResult& r) {
  return r.error == "noAccess" || r.error == "authorizationError";
}

struct User {
  std::string name, auth, priv;
  SnmpCredentials credentials() const { return SnmpCredentials::usm(name, auth, priv); }
  std::string create_line() const { return "createUser " + name + " SHA " + auth + " AES " + priv; }
};

const User kAlice{"alice", "alice-auth-secret", "alice-priv-secret"};
const User kNoc{"noc", "noc-auth-secret", "noc-priv-secret"};

const std::string kAccessYaml =
    "access:\n"
    "  users:\n"
    "    - { name: alice, ports: [A1] }\n"
    "    - { name: noc, role: admin }\n";

// The shipped community file with its placeholders filled in for loopback.
struct Communities {
  std::string read = "np-test-read-7f3a";
  std::string write = "np-test-write-91c2";
  std::string error = "np-test-error-4d8e";
};

std::string render_communities(const Communities& c, const std::string& trap_sink,
                               const std::string& trap_community) {
  std::string text =
      read_file(std::filesystem::path(NETPOWER_SOURCE_DIR) / "deploy/snmpd/snmpd-communities.conf");
  auto replace = [&](const std::string& what, const std::string& with) {
    for (auto at = text.find(what); at != std::string::npos;
         at = text.find(what, at + with.size())) {
      text.replace(at, what.size(), with);
    }
  };
  replace("<nms-network>", "127.0.0.1");
  replace("<read-community>", c.read);
  replace("<write-community>", c.write);
  replace("<error-community>", c.error);
  replace("<nms-host>", trap_sink);
  replace("<trap-community>", trap_community);
  return text;
}

class AgentAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    trap_receiver_ = std::make_unique<TrapReceiver>("np-test-trap-5b1e");
    // The generator runs as an operator would run it, from a configuration file.
    std::ofstream(dir_.file("access.yaml")) << "pdu:\n  driver: sim\n" << kAccessYaml;
    std::vector<std::string> argv = {NETPOWER_AGENT_BIN, "--config",
                                     dir_.file("access.yaml").string(), "--snmpd-access"};
    auto generated = run_command(argv, 30s);
    ASSERT_EQ(generated.exit_code(), 0) << generated.describe(argv);
    vacm_ = generated.out;
    ASSERT_NE(vacm_.find("group  netpowerUser1 usm alice"), std::string::npos) << vacm_;
    ASSERT_EQ(vacm_.find("\ncreateUser"), std::string::npos) << "keys stay with the operator";

    SnmpdOptions options;
    options.extra_config = {
        kAlice.create_line(), kNoc.create_line(), vacm_,
        render_communities(communities_, "udp:127.0.0.1:" + std::to_string(trap_receiver_->port()),
                           trap_receiver_->community())};
    snmpd_ = std::make_unique<SnmpdServer>(options);
    snmpd_->start();
    AgentSetup setup;
    setup.boards = 2;
    setup.extra_yaml = kAccessYaml;
    agent_ = std::make_unique<AgentProcess>(*snmpd_, setup);
    agent_->start();

    quick_.timeout = 700ms;
    quick_.retries = 0;
  }

  // Waits until the simulated relay of `port` reports `status` through snmpd (a condition, not a
  // timing: the bound only keeps a broken agent from hanging the test).
  bool wait_status(const SnmpCli& cli, const std::string& port, const std::string& status) {
    return wait_until(
        [&]() {
          auto r = cli.get({control_status(port)});
          return r.ok() && r.varbinds.size() == 1 && r.varbinds[0].value == status;
        },
        20s, 50ms);
  }

  std::string context() const {
    return "generated VACM lines:\n" + vacm_ + "\nagent log:\n" + agent_->log_text() + "\n" +
           snmpd_->log_text();
  }

  TempDir dir_{"np-access"};
  Communities communities_;
  std::string vacm_;
  std::unique_ptr<TrapReceiver> trap_receiver_;
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  SnmpCliOptions quick_;
};

TEST_F(AgentAccess, SnmpdAcceptsTheGeneratedLinesAndTheCommunityFile) {
  auto log = read_file(snmpd_->dir() / "snmpd.log");
  EXPECT_EQ(log.find("Error"), std::string::npos) << context();
  EXPECT_EQ(log.find("Warning"), std::string::npos) << context();
}

TEST_F(AgentAccess, UserSwitchesOnlyItsOwnPorts) {
  auto alice = snmpd_->cli(kAlice.credentials());
  // Alice reads the chain like everyone.
  ASSERT_TRUE(wait_status(alice, "A1", "On")) << context();

  auto own = alice.set(power_action("A1"), 'i', kPowerOff);
  EXPECT_TRUE(own.ok()) << own.describe() << context();
  EXPECT_TRUE(wait_status(alice, "A1", "Off")) << "alice's powerOff on A1 did not switch it";

  auto other = alice.set(power_action("A2"), 'i', kPowerOff);
  EXPECT_EQ(other.error, "noAccess") << other.describe();
  EXPECT_EQ(other.failed_oid, power_action("A2")) << other.describe();
  auto a2 = alice.get({control_status("A2")});
  ASSERT_TRUE(a2.ok()) << a2.describe();
  EXPECT_EQ(a2.varbinds.at(0).value, "On") << "a refused SET must not reach the port";

  // One refused varbind refuses the whole request: A1 is not switched back on either.
  auto mixed =
      alice.set({{power_action("A1"), 'i', kPowerOn}, {power_action("A2"), 'i', kPowerOn}});
  EXPECT_EQ(mixed.error, "noAccess") << mixed.describe();
  EXPECT_EQ(alice.get({control_status("A1")}).varbinds.at(0).value, "Off");

  // Nothing else is writable for a user: not the configuration, not the chain, not the system.
  EXPECT_EQ(alice.set(kNpChainLocation, 's', "x").error, "noAccess");
  EXPECT_EQ(alice.set(kSysLocation, 's', "x").error, "noAccess");
  EXPECT_EQ(alice.set(port_oid(3, "A1"), 's', "x").error, "noAccess");
  // Its own group-action row passes VACM (what the agent answers is the handler's business); the
  // administrator's row does not.
  auto own_row = alice.set(
      {{group_action(2, "alice"), 's', "A1"}, {group_action(3, "alice"), 'i', kPowerOff}});
  EXPECT_FALSE(access_error(own_row)) << own_row.describe();
  EXPECT_EQ(alice.set(group_action(3, "noc"), 'i', kPowerOff).error, "noAccess");
  EXPECT_EQ(alice.set(group_action(4, "alice"), 'u', "1").error, "noAccess")
      << "only Target and Command of the row are in the user's write view";

  // The patent's group report: alice's ALL is her one port, not the chain's 104.
  auto all = alice.set(
      {{group_action(2, "alice"), 's', "ALL"}, {group_action(3, "alice"), 'i', kPowerOn}});
  EXPECT_TRUE(all.ok()) << all.describe();
  auto report = alice.get({group_action(8, "alice")});
  ASSERT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(report.varbinds.at(0).value, "1 port(s) turned on, 0 port(s) locked");
  EXPECT_EQ(alice.get({control_status("A2")}).varbinds.at(0).value, "On");
  auto named = alice.set(
      {{group_action(2, "alice"), 's', "A2"}, {group_action(3, "alice"), 'i', kPowerOff}});
  EXPECT_TRUE(named.ok()) << named.describe();
  EXPECT_EQ(alice.get({group_action(8, "alice")}).varbinds.at(0).value,
            "0 port(s) turned off, 0 port(s) locked, 1 port(s) not permitted");
}

TEST_F(AgentAccess, AdminSwitchesEveryPortAndWritesTheConfiguration) {
  auto noc = snmpd_->cli(kNoc.credentials());
  ASSERT_TRUE(wait_status(noc, "A2", "On")) << context();
  auto r = noc.set(power_action("A2"), 'i', kPowerOff);
  EXPECT_TRUE(r.ok()) << r.describe() << context();
  EXPECT_TRUE(wait_status(noc, "A2", "Off"));
  r = noc.set(power_action("B4"), 'i', kPowerOff);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(wait_status(noc, "B4", "Off"));

  EXPECT_FALSE(access_error(noc.set(kNpChainLocation, 's', "rack 9")));
  EXPECT_FALSE(access_error(
      noc.set({{group_action(2, "alice"), 's', "A1"}, {group_action(3, "alice"), 'i', kPowerOn}})));
  // The chain's own objects stay read-only for everyone (the handler would say notWritable; VACM
  // stops it first because the write view does not hold them).
  EXPECT_EQ(noc.set(kChainLocation, 's', "x").error, "noAccess");
}

TEST_F(AgentAccess, WrongKeysAndUnknownUsersAreRefused) {
  auto wrong_auth =
      snmpd_->cli(SnmpCredentials::usm("alice", "not-alices-key", kAlice.priv), quick_);
  auto r = wrong_auth.get({control_status("A1")});
  EXPECT_EQ(r.error, "authenticationFailure") << r.describe();
  auto wrong_priv =
      snmpd_->cli(SnmpCredentials::usm("alice", kAlice.auth, "not-alices-key"), quick_);
  r = wrong_priv.set(power_action("A1"), 'i', kPowerOff);
  EXPECT_FALSE(r.ok()) << r.describe();
  auto stranger =
      snmpd_->cli(SnmpCredentials::usm("mallory", "mallory-auth", "mallory-priv"), quick_);
  EXPECT_EQ(stranger.get({control_status("A1")}).error, "unknownUserName");
  // alice without privacy: the access lines require authPriv.
  auto no_priv = kAlice.credentials();
  no_priv.security_level = "authNoPriv";
  r = snmpd_->cli(no_priv, quick_).get({control_status("A1")});
  EXPECT_FALSE(r.ok()) << r.describe();
  EXPECT_EQ(snmpd_->cli(SnmpCredentials::usm("alice", kAlice.auth, kAlice.priv))
                .get({control_status("A1")})
                .varbinds.at(0)
                .value,
            "On")
      << "no refused request switched anything";
}

TEST_F(AgentAccess, CommunityModelOfTheShippedFile) {
  auto read = snmpd_->cli(SnmpCredentials::v2c(communities_.read), quick_);
  auto write = snmpd_->cli(SnmpCredentials::v2c(communities_.write), quick_);
  auto errors = snmpd_->cli(SnmpCredentials::v2c(communities_.error), quick_);
  auto pub = snmpd_->cli(SnmpCredentials::v2c("public"), quick_);
  auto priv = snmpd_->cli(SnmpCredentials::v2c("private"), quick_);

  // Read community: the chain group, the system group; no writes at all.
  ASSERT_TRUE(wait_status(read, "A3", "On")) << context();
  EXPECT_TRUE(read.get({kChainLocation, kSysLocation}).ok());
  auto r = read.set(power_action("A3"), 'i', kPowerOff);
  EXPECT_EQ(r.error, "noAccess") << r.describe();
  EXPECT_EQ(read.set(kNpChainLocation, 's', "x").error, "noAccess");
  auto hidden = read.get({kErrorCode});
  ASSERT_EQ(hidden.varbinds.size(), 1u) << hidden.describe();
  EXPECT_EQ(hidden.varbinds[0].type, "noSuchObject") << "the error group has its own community";

  // Write community: sentry2PortPowerAction and the NETPOWER-MIB configuration, nothing else.
  r = write.set(power_action("A3"), 'i', kPowerOff);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(wait_status(read, "A3", "Off"));
  EXPECT_EQ(write.set(kChainLocation, 's', "x").error, "noAccess");
  EXPECT_EQ(write.set(port_oid(3, "A3"), 's', "x").error, "noAccess");
  EXPECT_EQ(write.set(kSysLocation, 's', "x").error, "noAccess");
  r = write.set(kNpChainLocation, 's', "rack 9");
  EXPECT_FALSE(access_error(r)) << r.describe();

  // Error community: the error group and nothing else.
  r = errors.get({kErrorCode});
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.varbinds.at(0).type, "INTEGER") << r.describe();
  for (const auto& oid : {kSysLocation, kChainLocation, control_status("A1")}) {
    auto seen = errors.get({oid});
    ASSERT_EQ(seen.varbinds.size(), 1u) << seen.describe();
    EXPECT_EQ(seen.varbinds[0].type, "noSuchObject") << oid;
  }
  EXPECT_EQ(errors.set(power_action("A1"), 'i', kPowerOff).error, "noAccess");

  // No default communities.
  EXPECT_EQ(pub.get({kSysLocation}).error, "timeout");
  EXPECT_EQ(priv.get({kSysLocation}).error, "timeout");

  // Traps leave with their own community: snmpd's coldStart reached a receiver that accepts only
  // that community.
  EXPECT_TRUE(trap_receiver_->wait_for(kColdStart, 20s).has_value()) << trap_receiver_->log_text();
}

// The production snmpd.conf carries no community at all and requires authPriv everywhere.
TEST(DeploySnmpdConf, SnmpV3OnlyWithoutCommunities) {
  std::string conf =
      read_file(std::filesystem::path(NETPOWER_SOURCE_DIR) / "deploy/snmpd/snmpd.conf");
  ASSERT_FALSE(conf.empty());
  std::istringstream in(conf);
  int access_lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    for (const char* banned : {"community", "com2sec", "rouser", "rwuser", "public", "private"}) {
      EXPECT_EQ(line.find(banned), std::string::npos) << line;
    }
    if (line.rfind("access", 0) == 0) {
      ++access_lines;
      EXPECT_TRUE(std::regex_search(line, std::regex(R"( usm +priv +exact )"))) << line;
    }
  }
  EXPECT_GE(access_lines, 1);
  EXPECT_NE(conf.find("includeFile /etc/snmp/netpower-access.conf"), std::string::npos);
}

}  // namespace
}  // namespace netpower::testing
