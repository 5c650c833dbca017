// The trap receiver on a loopback port against the real net-snmp tools (snmptrap, snmpinform) and a
// raw UDP sender: every kind of notification arrives as an event with the right OID, source and
// varbinds; informs are answered; wrong credentials are refused; malformed datagrams are counted;
// a burst is either all stored or accounted for by the kernel's drop counter; rows land in SQLite.

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/traps/receiver_fixture.h"

namespace netpower::manager::traps {
namespace {

// Events straight into a real store (what the daemon's hub subscription does).
class StoreSink final : public model::EventSink {
 public:
  explicit StoreSink(store::Store& store) : store_(store) {}
  using model::EventSink::publish;
  void publish(std::vector<model::Event> events) override { store_.add_events(std::move(events)); }

 private:
  store::Store& store_;
};

TEST_F(TrapReceiverTest, V1TrapIsStoredWithTheRfc3584Oid) {
  start();
  auto r = cli(SnmpCredentials::v1(kCommunity))
               .run("snmptrap", {".1.3.6.1.4.1.1718.2.100", "192.0.2.7", "6", "5", "4242",
                                 ".1.3.6.1.4.1.1718.2.1.1.0", "s", "rack 12",
                                 ".1.3.6.1.4.1.1718.2.1.4.1.4.65.49", "s", "On"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
  auto event = store_.events()[0];
  EXPECT_EQ(event.kind, model::EventKind::kTrap);
  EXPECT_EQ(event.agent, "loopback-pdu");
  EXPECT_EQ(event.oid, "1.3.6.1.4.1.1718.2.100.0.5");
  auto json = nlohmann::json::parse(event.varbinds_json);
  ASSERT_EQ(json.size(), 4u);
  EXPECT_EQ(json[1]["oid"], "1.3.6.1.4.1.1718.2.1.4.1.4.65.49");
  EXPECT_EQ(json[1]["value"], "On");
  EXPECT_EQ(json[2]["oid"], "1.3.6.1.6.3.18.1.3.0");  // snmpTrapAddress.0: the agent-addr field
  EXPECT_EQ(json[2]["value"], "192.0.2.7");
  auto trap = traps().at(0);
  EXPECT_EQ(trap.version, TrapVersion::kV1);
  EXPECT_EQ(trap.source_address, "127.0.0.1");
  EXPECT_EQ(trap.uptime, 4242u);
  auto change = port_control_change(trap);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->port, "A1");
  EXPECT_EQ(change->status, "On");
  EXPECT_EQ(receiver_->counters().decoded, 1u);
}

TEST_F(TrapReceiverTest, V2cTrapIsStoredWithItsVarbinds) {
  start();
  auto r = cli(SnmpCredentials::v2c(kCommunity))
               .run("snmptrap", {"", ".1.3.6.1.2.1.33.2.1", ".1.3.6.1.2.1.33.1.2.3.0", "i", "42",
                                 ".1.3.6.1.2.1.33.1.6.1.0", "u", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
  auto event = store_.events()[0];
  EXPECT_EQ(event.agent, "loopback-pdu");
  EXPECT_EQ(event.oid, "1.3.6.1.2.1.33.2.1");
  EXPECT_EQ(event.varbinds_json, R"([{"oid":"1.3.6.1.2.1.33.1.2.3.0","type":"INTEGER","value":42},)"
                                 R"({"oid":"1.3.6.1.2.1.33.1.6.1.0","type":"Gauge32","value":1}])");
  EXPECT_NE(event.text.find("upsTrapOnBattery (v2c) from loopback-pdu"), std::string::npos)
      << event.text;
}

TEST_F(TrapReceiverTest, V2cInformIsAnsweredAndStored) {
  start();
  auto r = cli(SnmpCredentials::v2c(kCommunity), 0)
               .run("snmpinform", {"", ".1.3.6.1.2.1.33.2.3", ".1.3.6.1.2.1.33.1.6.2.1.2.1", "o",
                                   ".1.3.6.1.2.1.33.1.6.3.3"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();  // the tool exits 0 only when answered
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
  EXPECT_EQ(store_.events()[0].oid, "1.3.6.1.2.1.33.2.3");
  EXPECT_EQ(traps().at(0).kind, NotificationKind::kInform);
  EXPECT_EQ(receiver_->counters().informs_answered, 1u);
}

TEST_F(TrapReceiverTest, WrongCommunityIsNeitherAnsweredNorStored) {
  start();
  auto r = cli(SnmpCredentials::v2c("not-the-community"), 0)
               .run("snmpinform", {"", ".1.3.6.1.2.1.33.2.3"});
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.error, "timeout") << r.describe();
  auto t = cli(SnmpCredentials::v1("not-the-community"))
               .run("snmptrap", {".1.3.6.1.4.1.1718.2.100", "", "6", "1", ""});
  EXPECT_EQ(t.exit_code, 0) << t.describe();
  ASSERT_TRUE(wait_until([&] { return receiver_->counters().unauthenticated == 2; }, 10s));
  settle();
  EXPECT_EQ(store_.size(), 0u);
  EXPECT_EQ(receiver_->counters().informs_answered, 0u);
}

TEST_F(TrapReceiverTest, V3AuthPrivInformIsAnsweredAndStored) {
  start();
  auto r = cli(SnmpCredentials::usm(kUser, kAuth, kPriv), 1)
               .run("snmpinform", {"", ".1.3.6.1.4.1.1718.2.100.0.5",
                                   ".1.3.6.1.4.1.1718.2.1.4.1.4.66.51", "s", "Off"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
  auto event = store_.events()[0];
  EXPECT_EQ(event.oid, "1.3.6.1.4.1.1718.2.100.0.5");
  EXPECT_EQ(event.agent, "loopback-pdu");
  auto trap = traps().at(0);
  EXPECT_EQ(trap.version, TrapVersion::kV3);
  EXPECT_EQ(trap.kind, NotificationKind::kInform);
  EXPECT_EQ(trap.user, kUser);
  auto change = port_control_change(trap);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->port, "B3");
  auto c = receiver_->counters();
  EXPECT_EQ(c.informs_answered, 1u);
  EXPECT_GE(c.discovery, 1u);  // the tool discovered our engine ID first
}

TEST_F(TrapReceiverTest, V3WrongKeysAreRefused) {
  start();
  auto wrong_auth = cli(SnmpCredentials::usm(kUser, "wrong-auth-secret", kPriv), 0)
                        .run("snmpinform", {"", ".1.3.6.1.2.1.33.2.1"});
  EXPECT_NE(wrong_auth.exit_code, 0) << wrong_auth.describe();
  auto wrong_user = cli(SnmpCredentials::usm("np-nobody", kAuth, kPriv), 0)
                        .run("snmpinform", {"", ".1.3.6.1.2.1.33.2.1"});
  EXPECT_NE(wrong_user.exit_code, 0) << wrong_user.describe();
  settle();
  EXPECT_EQ(store_.size(), 0u);
  auto c = receiver_->counters();
  EXPECT_GE(c.unauthenticated, 2u);
  EXPECT_EQ(c.informs_answered, 0u);
  EXPECT_EQ(c.decoded, 0u);
}

TEST_F(TrapReceiverTest, MalformedDatagramsAreCountedAndTheReceiverGoesOn) {
  auto s = settings();
  s.max_packet_bytes = 1024;
  start(nullptr, s, true);
  RawSender sender(receiver_->port());
  const std::vector<std::string> bad_files = {"bad_truncated.bin", "bad_huge_length.bin",
                                              "bad_indefinite.bin", "bad_first_varbind.bin",
                                              "v2c_get_request.bin"};
  for (const auto& name : bad_files) sender.send(corpus(name));
  sender.send(std::vector<std::uint8_t>{});            // empty datagram
  sender.send(std::vector<std::uint8_t>(2000, 0x30));  // longer than max_packet_bytes
  sender.send(corpus("v3_trap_authpriv.bin"));         // another engine's v3 trap
  sender.send(corpus("v2c_ups_on_battery.bin"));       // wrong community (np-trap)
  ASSERT_TRUE(wait_until([&] { return receiver_->counters().received == 9; }, 10s));
  settle();
  auto c = receiver_->counters();
  EXPECT_EQ(c.malformed, 7u);
  EXPECT_EQ(c.unauthenticated, 2u);
  EXPECT_EQ(c.decoded, 0u);
  // Still receiving.
  auto r = cli(SnmpCredentials::v2c(kCommunity)).run("snmptrap", {"", ".1.3.6.1.2.1.33.2.1"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
}

// 10,000 v2c traps as fast as one socket sends them. On loopback nothing should be lost; if the
// kernel does drop (a loaded machine), its drop counter accounts for every missing datagram.
TEST_F(TrapReceiverTest, BurstIsStoredOrAccountedFor) {
  auto s = settings();
  s.communities.emplace_back("np-trap", "test");
  start(nullptr, s, true);
  RawSender sender(receiver_->port());
  // The captured trap's community is np-trap: accept it too.
  auto ours = corpus("v2c_ups_on_battery.bin");
  ASSERT_FALSE(ours.empty());
  constexpr std::uint64_t kCount = 10000;
  for (std::uint64_t i = 0; i < kCount; ++i) sender.send(ours);
  ASSERT_TRUE(wait_until(
      [&] {
        auto c = receiver_->counters();
        return c.received + c.kernel_dropped == kCount;
      },
      30s))
      << "received " << receiver_->counters().received << ", dropped by the kernel "
      << receiver_->counters().kernel_dropped;
  settle();
  auto c = receiver_->counters();
  EXPECT_EQ(c.decoded, c.received);
  EXPECT_EQ(c.malformed + c.unauthenticated, 0u);
  EXPECT_EQ(store_.size(), c.decoded);
  std::printf("burst: received %llu, kernel dropped %llu, queue-full waits %llu, SO_RCVBUF %llu\n",
              static_cast<unsigned long long>(c.received),
              static_cast<unsigned long long>(c.kernel_dropped),
              static_cast<unsigned long long>(c.queue_full_waits),
              static_cast<unsigned long long>(receiver_->receive_buffer_bytes()));
}

TEST_F(TrapReceiverTest, EventsLandInTheSqliteStore) {
  testing::TempDir dir("np-traps");
  config::StoreSettings store_settings;
  store_settings.backend = config::StoreBackend::kSqlite;
  store_settings.sqlite_path = dir.file("manager.db").string();
  store_settings.spool_dir = dir.file("spool").string();
  store_settings.flush_interval = 50ms;
  auto sqlite = store::open_store(store_settings);
  StoreSink sink(*sqlite);
  start(&sink);
  auto v2 = cli(SnmpCredentials::v2c(kCommunity))
                .run("snmptrap", {"", ".1.3.6.1.4.1.1718.2.100.0.5",
                                  ".1.3.6.1.4.1.1718.2.1.4.1.4.65.49", "s", "Off"});
  ASSERT_EQ(v2.exit_code, 0) << v2.describe();
  auto inform =
      cli(SnmpCredentials::usm(kUser, kAuth, kPriv)).run("snmpinform", {"", ".1.3.6.1.2.1.33.2.1"});
  ASSERT_EQ(inform.exit_code, 0) << inform.describe();
  ASSERT_TRUE(wait_until([&] { return receiver_->counters().decoded == 2; }, 10s));
  ASSERT_TRUE(sqlite->flush(10s));
  receiver_->stop();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(store_settings.sqlite_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT agent, kind, oid, varbinds, text FROM events ORDER BY id", -1,
                         &stmt, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(db);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < 5; ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "loopback-pdu");
  EXPECT_EQ(rows[0][1], "trap");
  EXPECT_EQ(rows[0][2], "1.3.6.1.4.1.1718.2.100.0.5");
  EXPECT_EQ(nlohmann::json::parse(rows[0][3])[0]["value"], "Off");
  EXPECT_NE(rows[0][4].find("port A1 Off"), std::string::npos) << rows[0][4];
  EXPECT_EQ(rows[1][2], "1.3.6.1.2.1.33.2.1");
}

}  // namespace
}  // namespace netpower::manager::traps
