// The demo's snmpd configuration (deploy/demo/snmpd.conf.in, rendered as scripts/demo.sh does) is
// accepted by a real snmpd and enforces the access model it documents: SNMPv3 admin and viewer, a
// read community, a write community limited to sentry2PortPowerAction and the NETPOWER-MIB
// configuration, an error-group community, traps with their own community, no public.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/support/trap_receiver.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

TEST(DemoAccessModel, SnmpdAcceptsTheTemplateAndEnforcesIt) {
  TempDir dir("np-demo");
  // The demo's trap community; the receiver accepts nothing else.
  TrapReceiver traps("np-demo-trap");
  auto port = free_udp_port();
  auto agentx = dir.file("agentx.sock");
  auto rendered =
      run_command({std::string(NETPOWER_SOURCE_DIR) + "/deploy/demo/render-snmpd-conf.sh",
                   std::to_string(port), agentx.string()},
                  10s, {"DEMO_TRAP_PORT=" + std::to_string(traps.port())});
  ASSERT_EQ(rendered.exit_code(), 0) << rendered.err;
  {
    std::ofstream conf(dir.file("snmpd.conf"));
    conf << rendered.out;
  }
  std::filesystem::create_directories(dir.file("persist"));
  Process snmpd({NETPOWER_SNMPD_PATH, "-f", "-C", "-c", dir.file("snmpd.conf").string(), "-Lf",
                 dir.file("snmpd.log").string(), "-M", "/nonexistent", "-m", "", "-I", "-smux"},
                dir.file("snmpd.out"),
                {"SNMP_PERSISTENT_DIR=" + dir.file("persist").string(),
                 "MIBS=", "SNMPCONFPATH=/nonexistent"});
  std::string target = "udp:127.0.0.1:" + std::to_string(port);
  SnmpCli admin(
      target, SnmpCredentials::usm("netpower-admin", "demo-admin-auth-key", "demo-admin-priv-key"));
  ASSERT_TRUE(wait_until([&]() { return admin.get({"1.3.6.1.2.1.1.6.0"}).ok(); }, 15s, 100ms))
      << snmpd.log_text();
  std::ifstream log_file(dir.file("snmpd.log"));
  std::string log((std::istreambuf_iterator<char>(log_file)), {});
  EXPECT_EQ(log.find("Error"), std::string::npos) << "snmpd rejected part of the template:\n"
                                                  << log;
  EXPECT_EQ(log.find("Warning"), std::string::npos) << log;

  const std::string sys_location = "1.3.6.1.2.1.1.6.0";
  const std::string sys_contact = "1.3.6.1.2.1.1.4.0";
  SnmpCliOptions quick;
  quick.timeout = 700ms;
  quick.retries = 0;
  SnmpCli viewer(
      target,
      SnmpCredentials::usm("netpower-viewer", "demo-viewer-auth-key", "demo-viewer-priv-key"),
      quick);
  SnmpCli read(target, SnmpCredentials::v2c("np-demo-read"), quick);
  SnmpCli write(target, SnmpCredentials::v2c("np-demo-write"), quick);
  SnmpCli errors(target, SnmpCredentials::v2c("np-demo-error"), quick);
  SnmpCli pub(target, SnmpCredentials::v2c("public"), quick);
  SnmpCli priv(target, SnmpCredentials::v2c("private"), quick);

  EXPECT_EQ(admin.get({sys_location}).varbinds.at(0).value, "netpower demo");
  EXPECT_TRUE(viewer.get({sys_location}).ok());
  EXPECT_EQ(viewer.set(sys_contact, 's', "x").error, "noAccess");
  EXPECT_TRUE(read.get({sys_location}).ok()) << "the read community sees the system group";
  EXPECT_EQ(read.set(sys_contact, 's', "x").error, "noAccess");
  // The write community may write sentry2PortPowerAction and the NETPOWER-MIB configuration only:
  // anything else is out of its view.
  EXPECT_EQ(write.set(sys_contact, 's', "x").error, "noAccess");
  EXPECT_EQ(write.set("1.3.6.1.4.1.1718.2.1.4.1.3.65.49", 's', "x").error, "noAccess");
  EXPECT_EQ(write.set("1.3.6.1.4.1.1718.2.1.1.0", 's', "x").error, "noAccess");
  // No agent serves these here, so snmpd itself answers (notWritable / noCreation): what matters is
  // that VACM let the request through, which it does only inside the write view.
  const std::string power_action_a1 = "1.3.6.1.4.1.1718.2.1.4.1.2.65.49";
  const std::string np_chain_location = "1.3.6.1.4.1.32473.1.1.1.1.0";
  for (const auto& oid : {power_action_a1, np_chain_location}) {
    auto r = write.set(oid, 'i', "1");
    EXPECT_FALSE(r.ok()) << r.describe();
    EXPECT_NE(r.error, "noAccess") << r.describe();
    EXPECT_NE(r.error, "authorizationError") << r.describe();
    EXPECT_EQ(read.set(oid, 'i', "1").error, "noAccess") << oid;
  }
  // The error community sees the error group and nothing else.
  auto sys = errors.get({sys_location});
  ASSERT_EQ(sys.varbinds.size(), 1u) << sys.describe();
  EXPECT_EQ(sys.varbinds[0].type, "noSuchObject");
  // No default communities at all.
  EXPECT_EQ(pub.get({sys_location}).error, "timeout");
  EXPECT_EQ(priv.get({sys_location}).error, "timeout");
  // The wrong key is refused.
  SnmpCli wrong(target,
                SnmpCredentials::usm("netpower-admin", "not-the-auth-key", "demo-admin-priv-key"),
                quick);
  EXPECT_FALSE(wrong.get({sys_location}).ok());
  // Traps carry their own community: snmpd's coldStart reached a receiver that accepts only it.
  EXPECT_TRUE(traps.wait_for(".1.3.6.1.6.3.1.1.5.1", 15s).has_value()) << traps.log_text();
}

}  // namespace
}  // namespace netpower::testing
