// SET through the manager's SNMP client (manager/snmp/client.h) against a real snmpd with the real
// netpower-agent behind it (simulated chain): sentry2PortPowerAction switches a port off and the
// read-back of sentry2PortControlStatus says "Off", over SNMPv2c (the write community) and SNMPv3
// authPriv; the agent's refusals come back as such (wrongValue with its index, notWritable,
// noAccess for the read community); a port nobody answers is a timeout; a wrong auth key or an
// unknown user is named. Assertions are on results, never on how long something took.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include <optional>
#include <thread>

#include "manager/snmp/client.h"
#include "tests/integration/agent_process.h"
#include "tests/support/ports.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/wait.h"

namespace netpower::manager::snmp {
namespace {

using namespace std::chrono_literals;
using netpower::testing::AgentProcess;
using netpower::testing::AgentSetup;
using netpower::testing::SnmpdServer;
using netpower::testing::wait_until;

// sentry2PortEntry columns; a port's index is its two characters ("A1" = .65.49).
Oid port_column(std::uint32_t column, const std::string& port) {
  Oid oid = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, column};
  for (char c : port) oid.push_back(static_cast<unsigned char>(c));
  return oid;
}
Oid power_action(const std::string& port) { return port_column(2, port); }
Oid control_status(const std::string& port) { return port_column(4, port); }
constexpr std::int64_t kPowerOff = 1;
constexpr std::int64_t kPowerOn = 2;
constexpr std::int64_t kNoop = 4;

class SnmpSetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    snmpd_ = new SnmpdServer();
    snmpd_->start();
    agent_ = new AgentProcess(*snmpd_, AgentSetup{.boards = 2});
    agent_->start();
  }
  static void TearDownTestSuite() {
    delete agent_;
    delete snmpd_;
    agent_ = nullptr;
    snmpd_ = nullptr;
  }

  SnmpSetTest() : client_(make_client(io_)), thread_([this] { io_.run(); }) {}
  ~SnmpSetTest() override {
    client_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << agent_->log_text() << "\n" << snmpd_->log_text() << "\n";
  }

  static TargetPtr v2c(const std::string& community, std::uint16_t port = 0) {
    auto t = std::make_shared<Target>();
    t->address = "127.0.0.1";
    t->port = port != 0 ? port : snmpd_->port();
    t->version = Version::kV2c;
    t->community = community;
    t->timeout = 2s;
    t->retries = 1;
    return t;
  }
  static TargetPtr v3(const std::string& user, const std::string& auth, const std::string& priv,
                      std::uint16_t port = 0) {
    auto t = std::make_shared<Target>();
    t->address = "127.0.0.1";
    t->port = port != 0 ? port : snmpd_->port();
    t->version = Version::kV3;
    t->usm = make_usm_credentials(user, SecurityLevel::kAuthPriv, AuthProtocol::kSha, auth,
                                  PrivProtocol::kAes, priv);
    t->timeout = 2s;
    t->retries = 1;
    return t;
  }
  static TargetPtr admin() {
    return v3(snmpd_->v3_user(), snmpd_->v3_auth_password(), snmpd_->v3_priv_password());
  }

  Response set(const TargetPtr& target, std::vector<Varbind> varbinds) {
    auto f = future_of([&](Callback cb) { client_->set(target, varbinds, std::move(cb)); });
    EXPECT_EQ(f.wait_for(30s), std::future_status::ready);
    return f.get();
  }
  Response get(const TargetPtr& target, std::vector<Oid> oids) {
    auto f = future_of([&](Callback cb) { client_->get(target, oids, std::move(cb)); });
    EXPECT_EQ(f.wait_for(30s), std::future_status::ready);
    return f.get();
  }
  std::string status(const std::string& port) {
    auto r = get(admin(), {control_status(port)});
    if (!r.ok()) return "error " + r.error_text;
    return r.varbinds.size() == 1 ? r.varbinds[0].octets : "?";
  }

  static SnmpdServer* snmpd_;
  static AgentProcess* agent_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  ClientPtr client_;
  std::thread thread_;
};
SnmpdServer* SnmpSetTest::snmpd_ = nullptr;
AgentProcess* SnmpSetTest::agent_ = nullptr;

TEST_F(SnmpSetTest, V2cPowerOffSwitchesThePortOff) {
  ASSERT_EQ(status("A1"), "On");
  auto r = set(v2c(snmpd_->write_community()), {integer_value(power_action("A1"), kPowerOff)});
  ASSERT_TRUE(r.ok()) << r.error_text;
  // The answer echoes the SET's varbind.
  ASSERT_EQ(r.varbinds.size(), 1u);
  EXPECT_EQ(r.varbinds[0].oid, power_action("A1"));
  EXPECT_EQ(r.varbinds[0].type, ValueType::kInteger);
  EXPECT_EQ(r.varbinds[0].integer, kPowerOff);
  EXPECT_TRUE(wait_until([&] { return status("A1") == "Off"; }, 10s)) << status("A1");
  EXPECT_TRUE(agent_->sim().state()["boards"][0]["ports"][0]["relay_on"] == false);

  r = set(v2c(snmpd_->write_community()), {integer_value(power_action("A1"), kPowerOn)});
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_TRUE(wait_until([&] { return status("A1") == "On"; }, 10s)) << status("A1");
}

TEST_F(SnmpSetTest, V3AuthPrivPowerOffSwitchesThePortOff) {
  ASSERT_EQ(status("A2"), "On");
  auto r = set(admin(), {integer_value(power_action("A2"), kPowerOff)});
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_GE(r.requests, 1u);
  EXPECT_TRUE(wait_until([&] { return status("A2") == "Off"; }, 10s)) << status("A2");
  EXPECT_EQ(status("A1"), "On");  // only the port named
  r = set(admin(), {integer_value(power_action("A2"), kPowerOn)});
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_TRUE(wait_until([&] { return status("A2") == "On"; }, 10s)) << status("A2");
}

TEST_F(SnmpSetTest, WrongValueIsReportedWithItsIndex) {
  for (const auto& target : {v2c(snmpd_->write_community()), admin()}) {
    // The second varbind is out of range: the whole request is refused, the first does nothing.
    auto r = set(target, {integer_value(power_action("A3"), kPowerOff),
                          integer_value(power_action("A4"), 9)});
    EXPECT_EQ(r.error, Error::kErrorStatus) << r.error_text;
    EXPECT_EQ(r.error_status, kWrongValue) << error_status_name(r.error_status);
    EXPECT_EQ(r.error_index, 2);
    EXPECT_NE(r.error_text.find("wrongValue (index 2) for " + to_string(power_action("A4"))),
              std::string::npos)
        << r.error_text;
    EXPECT_EQ(status("A3"), "On");
    EXPECT_EQ(status("A4"), "On");
  }
}

TEST_F(SnmpSetTest, ReadOnlyObjectsAndTheReadCommunityAreRefusedAsSuch) {
  // The administrator may write everything VACM offers; the agent says the column is read-only.
  auto r = set(admin(), {integer_value(power_action("B1"), kNoop),
                         octets_value(control_status("B1"), "Off")});
  EXPECT_EQ(r.error, Error::kErrorStatus) << r.error_text;
  EXPECT_EQ(r.error_status, kNotWritable) << error_status_name(r.error_status);
  EXPECT_EQ(r.error_index, 2);
  // The read community has no write view at all.
  r = set(v2c(snmpd_->read_community()), {integer_value(power_action("B1"), kPowerOff)});
  EXPECT_EQ(r.error, Error::kErrorStatus) << r.error_text;
  EXPECT_EQ(r.error_status, kNoAccess) << error_status_name(r.error_status);
  EXPECT_EQ(r.error_index, 1);
  EXPECT_EQ(status("B1"), "On");
}

TEST_F(SnmpSetTest, SilentPortIsATimeout) {
  netpower::testing::SilentUdpPort silent;
  for (const auto& target : {v2c(snmpd_->write_community(), silent.port()),
                             v3(snmpd_->v3_user(), snmpd_->v3_auth_password(),
                                snmpd_->v3_priv_password(), silent.port())}) {
    auto quick = std::make_shared<Target>(*target);
    quick->timeout = 200ms;
    quick->retries = 1;
    auto r = set(quick, {integer_value(power_action("B2"), kPowerOff)});
    EXPECT_EQ(r.error, Error::kTimeout) << r.error_text;
    EXPECT_EQ(r.requests, 2u);  // the first attempt and one retry (v3: of the discovery probe)
    EXPECT_EQ(r.retries, 1u);
  }
}

TEST_F(SnmpSetTest, WrongAuthKeyAndUnknownUserAreNamedAndChangeNothing) {
  auto r = set(v3(snmpd_->v3_user(), "not-the-auth-key", snmpd_->v3_priv_password()),
               {integer_value(power_action("B3"), kPowerOff)});
  EXPECT_EQ(r.error, Error::kWrongAuthKey) << r.error_text;
  EXPECT_NE(r.error_text.find("usmStatsWrongDigests"), std::string::npos) << r.error_text;
  EXPECT_EQ(r.error_text.find("not-the-auth-key"), std::string::npos);
  r = set(v3("np-nobody", snmpd_->v3_auth_password(), snmpd_->v3_priv_password()),
          {integer_value(power_action("B3"), kPowerOff)});
  EXPECT_EQ(r.error, Error::kUnknownUser) << r.error_text;
  EXPECT_NE(r.error_text.find("np-nobody"), std::string::npos) << r.error_text;
  EXPECT_EQ(status("B3"), "On");
}

}  // namespace
}  // namespace netpower::manager::snmp
