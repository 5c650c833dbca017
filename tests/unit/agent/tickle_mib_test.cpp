// netpowerTickleTable as the NETPOWER-MIB's tree serves it: the OIDs of the contract
// (docs/tickle.md), the values, and the answers to writes (wrongType, wrongLength,
// inconsistentValue while sending, genErr on a collector failure).
#include <gtest/gtest.h>

#include <memory>

#include "agent/snmp/netpower_mib.h"
#include "agent/snmp/tickle_mib.h"
#include "collectors/sim/sim_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::snmp {
namespace {

using namespace std::chrono_literals;
using agent::testing::ManualLoop;

// 1.3.6.1.4.1.32473.1.1.5.1.<column>.<port's two characters>, written out independently.
Oid tickle_oid(oid column, const char* port) {
  return {1,
          3,
          6,
          1,
          4,
          1,
          32473,
          1,
          1,
          5,
          1,
          column,
          static_cast<oid>(port[0]),
          static_cast<oid>(port[1])};
}

class TickleMibTest : public ::testing::Test {
 protected:
  TickleMibTest() {
    collectors::sim::SimSettings sim;
    sim.boards = 2;
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim, loop_.clock());
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, ChainSettings{}, 250us);
    model_->refresh();
    mib_ = std::make_unique<NetpowerMib>(*model_, ChainSettings{}, AccessSettings{}, nullptr);
  }
  const Instance* instance(oid column, const char* port) {
    auto o = tickle_oid(column, port);
    return mib_->tree().exact(o.data(), o.size());
  }
  Value get(oid column, const char* port) {
    auto* i = instance(column, port);
    EXPECT_NE(i, nullptr) << "column " << column << " of " << port;
    if (i == nullptr) return {};
    auto v = i->get();
    EXPECT_TRUE(v);
    return v ? *v : Value{};
  }
  // The test phase and, when it passes, the action phase of one write, as the subagent runs them.
  int write(const char* port, u_char type, const std::string& octets) {
    auto* i = instance(2, port);
    if (i == nullptr || !i->check) return SNMP_ERR_NOTWRITABLE;
    netsnmp_variable_list vb{};
    snmp_set_var_typed_value(&vb, type, octets.data(), octets.size());
    SetRequest r{vb, ++request_id_};
    int error = i->check(r);
    if (error == SNMP_ERR_NOERROR) error = i->commit(r);
    snmp_free_var_internals(&vb);
    return error;
  }

  ManualLoop loop_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  std::unique_ptr<ChainModel> model_;
  std::unique_ptr<NetpowerMib> mib_;
  long request_id_ = 0;
};

const std::string kNonce("\x01\x23\x45\x67\x89\xab\xcd\xef", 8);

TEST_F(TickleMibTest, EveryPortOfTheChainHasARowThatReadsIdle) {
  for (const char* port : {"A1", "A4", "B1", "B4"}) {
    EXPECT_EQ(get(2, port).octets, "") << port;
    EXPECT_EQ(get(3, port).integer, 1) << port << ": idle";
    EXPECT_EQ(get(4, port).type, ASN_TIMETICKS);
    EXPECT_EQ(get(4, port).integer, 0);
    EXPECT_EQ(get(5, port).type, ASN_UNSIGNED);
    EXPECT_EQ(get(5, port).integer, 250) << "microseconds";
    EXPECT_EQ(get(6, port).octets, "");
  }
  EXPECT_EQ(instance(2, "C1"), nullptr) << "not in the chain";
  auto column = tickle_oid(2, "C1");
  EXPECT_EQ(mib_->tree().object_of(column.data(), column.size()), std::make_pair(true, true));
  auto status = tickle_oid(3, "A1");
  EXPECT_EQ(mib_->tree().object_of(status.data(), status.size()), std::make_pair(true, false));
}

TEST_F(TickleMibTest, WritingEightOctetsStartsATickleWithThatNonce) {
  loop_.advance(2500ms);
  ASSERT_EQ(write("B2", ASN_OCTET_STR, kNonce), SNMP_ERR_NOERROR);
  EXPECT_EQ(model_->tickle_state(*core::PortId::parse("B2")).nonce, 0x0123456789abcdefULL);
  EXPECT_EQ(get(2, "B2").octets, kNonce);
  EXPECT_EQ(get(3, "B2").integer, 2) << "sending";
  EXPECT_EQ(get(4, "B2").integer, 250) << "sysUpTime-like hundredths";
  EXPECT_EQ(get(3, "A1").integer, 1);
  loop_.advance(model_->tickle_window());
  EXPECT_EQ(get(3, "B2").integer, 3) << "sent";
}

TEST_F(TickleMibTest, WritesAreCheckedAndABusyPortRefuses) {
  EXPECT_EQ(write("A1", ASN_INTEGER, std::string(sizeof(long), '\0')), SNMP_ERR_WRONGTYPE);
  EXPECT_EQ(write("A1", ASN_OCTET_STR, ""), SNMP_ERR_WRONGLENGTH);
  EXPECT_EQ(write("A1", ASN_OCTET_STR, kNonce.substr(0, 7)), SNMP_ERR_WRONGLENGTH);
  EXPECT_EQ(write("A1", ASN_OCTET_STR, kNonce + "x"), SNMP_ERR_WRONGLENGTH);
  EXPECT_EQ(get(3, "A1").integer, 1) << "nothing started";

  ASSERT_EQ(write("A1", ASN_OCTET_STR, kNonce), SNMP_ERR_NOERROR);
  loop_.advance(model_->tickle_window() - 1ns);
  EXPECT_EQ(write("A1", ASN_OCTET_STR, std::string(8, 'z')), SNMP_ERR_INCONSISTENTVALUE);
  EXPECT_EQ(get(2, "A1").octets, kNonce);
  EXPECT_EQ(write("A2", ASN_OCTET_STR, std::string(8, 'z')), SNMP_ERR_NOERROR) << "another port";
  loop_.advance(1ns);
  EXPECT_EQ(write("A1", ASN_OCTET_STR, std::string(8, 'z')), SNMP_ERR_NOERROR);
  EXPECT_EQ(get(2, "A1").octets, std::string(8, 'z'));
}

TEST_F(TickleMibTest, ACollectorFailureAnswersGenErrAndTheRowSaysWhy) {
  pdu_->chain().set_unplugged(true);
  EXPECT_EQ(write("A3", ASN_OCTET_STR, kNonce), SNMP_ERR_GENERR);
  EXPECT_EQ(get(3, "A3").integer, 4) << "failed";
  EXPECT_EQ(get(2, "A3").octets, kNonce);
  EXPECT_NE(get(6, "A3").octets.find("unplugged"), std::string::npos) << get(6, "A3").octets;
}

TEST(TickleNonce, OctetsAreBigEndian) {
  EXPECT_EQ(nonce_octets(0x0123456789abcdefULL), kNonce);
  EXPECT_EQ(nonce_of_octets(reinterpret_cast<const unsigned char*>(kNonce.data())),
            0x0123456789abcdefULL);
}

}  // namespace
}  // namespace netpower::agent::snmp
