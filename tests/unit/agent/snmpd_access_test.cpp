#include "agent/access/snmpd_access.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config_error.h"

namespace netpower::agent::access {
namespace {

AccessUser user(const std::string& name, const std::vector<std::string>& ports) {
  AccessUser u;
  u.name = name;
  for (const auto& p : ports)
    u.ports[static_cast<std::size_t>(core::PortId::parse(p)->flat())] = true;
  return u;
}

AccessUser admin(const std::string& name) {
  AccessUser u;
  u.name = name;
  u.admin = true;
  return u;
}

// The configuration lines (no comments, no blank lines), in order.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& word) {
  std::vector<std::string> out;
  for (const auto& line : lines(text)) {
    if (line.find(word) != std::string::npos) out.push_back(line);
  }
  return out;
}

const std::vector<std::string> kReadView = {
    "view   netpowerRead included .1.3.6.1.2.1.1",
    "view   netpowerRead included .1.3.6.1.2.1.33",
    "view   netpowerRead included .1.3.6.1.4.1.1718.2.1",
    "view   netpowerRead included .1.3.6.1.4.1.1718.2.2",
    "view   netpowerRead included .1.3.6.1.4.1.32473.1",
};

TEST(SnmpdAccess, UserMayWriteOnlyItsPortsAndItsGroupActionRow) {
  AccessSettings access;
  access.users.push_back(user("alice", {"A1", "B2"}));
  auto text = snmpd_access_config(access, "/etc/netpower/agent.yaml");
  std::vector<std::string> expected = kReadView;
  for (const char* line : {
           "group  netpowerUser1 usm alice",
           "view   netpowerUser1W included .1.3.6.1.4.1.1718.2.1.4.1.2.65.49",
           "view   netpowerUser1W included .1.3.6.1.4.1.1718.2.1.4.1.2.66.50",
           "view   netpowerUser1W included .1.3.6.1.4.1.32473.1.1.4.1.2.5.97.108.105.99.101",
           "view   netpowerUser1W included .1.3.6.1.4.1.32473.1.1.4.1.3.5.97.108.105.99.101",
           "access netpowerUser1 \"\" usm priv exact netpowerRead netpowerUser1W none",
       }) {
    expected.emplace_back(line);
  }
  EXPECT_EQ(lines(text), expected) << text;
  // No administrator, so no admin view; no keys anywhere.
  EXPECT_EQ(text.find("netpowerAdmin"), std::string::npos) << text;
  EXPECT_EQ(text.find("createUser alice"), std::string::npos) << text;
  EXPECT_NE(text.find("# User alice: ports A1 B2"), std::string::npos) << text;
  EXPECT_NE(text.find("includeFile"), std::string::npos) << "the header says how to include it";
  EXPECT_NE(text.find("--config /etc/netpower/agent.yaml --snmpd-access"), std::string::npos);
}

TEST(SnmpdAccess, AdminWritesEveryPortTheConfigurationAndTheUpsControls) {
  AccessSettings access;
  access.users.push_back(admin("noc"));
  access.users.push_back(admin("ops"));
  auto text = snmpd_access_config(access, "agent.yaml");
  std::vector<std::string> expected = kReadView;
  for (const char* line : {
           "view   netpowerAdminW included .1.3.6.1.4.1.1718.2.1.4.1.2",
           "view   netpowerAdminW included .1.3.6.1.4.1.32473.1.1",
           "view   netpowerAdminW included .1.3.6.1.2.1.33.1.1.5",
           "view   netpowerAdminW included .1.3.6.1.2.1.33.1.1.6",
           "view   netpowerAdminW included .1.3.6.1.2.1.33.1.7",
           "view   netpowerAdminW included .1.3.6.1.2.1.33.1.8",
           "view   netpowerAdminW included .1.3.6.1.2.1.33.1.9",
           "access netpowerAdmin \"\" usm priv exact netpowerRead netpowerAdminW none",
           "group  netpowerAdmin usm noc",
           "group  netpowerAdmin usm ops",
       }) {
    expected.emplace_back(line);
  }
  EXPECT_EQ(lines(text), expected) << text;
}

TEST(SnmpdAccess, AdminsAndUsersTogetherFromTheConfigurationFile) {
  auto config = parse_agent_config(R"(access:
  users:
    - { name: alice, ports: [A1, B2] }
    - { name: noc, role: admin }
    - { name: bob.smith-2_x, ports: [.C3] }
    - { name: guest }
pdu:
  driver: sim
)",
                                   "agent.yaml");
  auto text = snmpd_access_config(config.access, config.file);
  EXPECT_EQ(lines_with(text, "group "),
            (std::vector<std::string>{
                "group  netpowerAdmin usm noc", "group  netpowerUser1 usm alice",
                "group  netpowerUser2 usm bob.smith-2_x", "group  netpowerUser3 usm guest"}));
  EXPECT_EQ(lines_with(text, "netpowerUser2W"),
            (std::vector<std::string>{
                "view   netpowerUser2W included .1.3.6.1.4.1.1718.2.1.4.1.2.67.51",
                "view   netpowerUser2W included "
                ".1.3.6.1.4.1.32473.1.1.4.1.2.13.98.111.98.46.115.109.105.116.104.45.50.95.120",
                "view   netpowerUser2W included "
                ".1.3.6.1.4.1.32473.1.1.4.1.3.13.98.111.98.46.115.109.105.116.104.45.50.95.120",
                "access netpowerUser2 \"\" usm priv exact netpowerRead netpowerUser2W none"}));
  // A user without ports may still write its own group-action row (which then switches nothing).
  EXPECT_EQ(lines_with(text, "netpowerUser3W").size(), 3u) << text;
  EXPECT_NE(text.find("# User guest: no ports"), std::string::npos) << text;
  // Every access line asks for authPriv.
  for (const auto& line : lines_with(text, "access ")) {
    EXPECT_NE(line.find(" usm priv exact "), std::string::npos) << line;
  }
}

TEST(SnmpdAccess, TwentySixBoards) {
  AccessSettings access;
  AccessUser all;
  all.name = "rack";
  all.ports.fill(true);
  access.users.push_back(all);
  access.users.push_back(user("z", {"Z4", "A1"}));
  auto text = snmpd_access_config(access, "agent.yaml");
  auto rack = lines_with(text, "netpowerUser1W included .1.3.6.1.4.1.1718.2.1.4.1.2.");
  ASSERT_EQ(rack.size(), 104u) << text;
  EXPECT_EQ(rack.front(), "view   netpowerUser1W included .1.3.6.1.4.1.1718.2.1.4.1.2.65.49");
  EXPECT_EQ(rack.back(), "view   netpowerUser1W included .1.3.6.1.4.1.1718.2.1.4.1.2.90.52");
  // Chain order, whatever the order of the configuration.
  EXPECT_EQ(lines_with(text, "netpowerUser2W included .1.3.6.1.4.1.1718"),
            (std::vector<std::string>{
                "view   netpowerUser2W included .1.3.6.1.4.1.1718.2.1.4.1.2.65.49",
                "view   netpowerUser2W included .1.3.6.1.4.1.1718.2.1.4.1.2.90.52"}));
  EXPECT_NE(text.find("# User z: ports A1 Z4,"), std::string::npos) << text;
}

TEST(SnmpdAccess, NoUsersIsAComment) {
  auto text = snmpd_access_config(AccessSettings{}, "agent.yaml");
  EXPECT_TRUE(lines(text).empty()) << text;
  EXPECT_NE(text.find("agent.yaml lists no users"), std::string::npos) << text;
}

TEST(SnmpdAccess, UserRowIndexIsLengthPrefixed) {
  EXPECT_EQ(user_row_index("alice"), ".5.97.108.105.99.101");
  EXPECT_EQ(user_row_index(std::string(32, 'a')).substr(0, 6), ".32.97");
}

// Names that would need quoting in snmpd.conf never get that far: the configuration reader refuses
// them with the file and line, and the generator refuses them if handed one directly.
TEST(SnmpdAccess, NamesThatNeedQuotingAreRejected) {
  for (const std::string name :
       {"\"al ice\"", "'a\"b'", "\"a#b\"", "\"a\\\\b\"", "\"tab\\tx\"", "\"é\""}) {
    const std::string text = "access:\n  users:\n    - name: " + name + "\n      ports: [A1]\n";
    try {
      parse_agent_config(text, "bad.yaml");
      ADD_FAILURE() << "accepted " << name;
    } catch (const core::ConfigError& e) {
      EXPECT_EQ(e.line(), 3) << e.what();
      const std::string what = e.what();
      EXPECT_TRUE(what.find("may hold only letters") != std::string::npos ||
                  what.find("control character") != std::string::npos)
          << what;
    }
  }
  try {
    parse_agent_config("access:\n  users:\n    - name: " + std::string(33, 'a') + "\n", "bad.yaml");
    ADD_FAILURE() << "accepted a 33-character name";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 3) << e.what();
  }

  for (const std::string& name : std::vector<std::string>{
           "", "al ice", "a\"b", "a#b", "a\nview all included .1", std::string(33, 'a')}) {
    AccessSettings access;
    access.users.push_back(user(name, {"A1"}));
    EXPECT_THROW(snmpd_access_config(access, "agent.yaml"), std::invalid_argument) << name;
  }
}

}  // namespace
}  // namespace netpower::agent::access
