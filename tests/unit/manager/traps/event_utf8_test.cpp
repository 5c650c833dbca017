// Strings from the network in the stored event: every OCTET STRING that is not well-formed,
// printable UTF-8 (overlong forms, surrogates, past U+10FFFF, truncated, stray bytes) is stored as
// hex, losslessly, so that varbinds_json is always valid JSON (an array) and the summary is always
// valid UTF-8, however it is cut.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "manager/snmp/message.h"
#include "manager/traps/decoded_trap.h"
#include "manager/traps/detail/trap_decoder.h"

namespace netpower::manager::traps {
namespace {

// The byte classes that are not UTF-8, alone and inside text.
const std::vector<std::string>& ill_formed() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const char* s : {
             "\xe0\x80\x80", "\xe0\x9f\xbf",          // overlong E0 80..9F
             "\xed\xa0\x80", "\xed\xbf\xbf",          // surrogates ED A0..BF
             "\xf4\x90\x80\x80", "\xf4\xbf\xbf\xbf",  // past U+10FFFF: F4 90..
             "\xf0\x80\x80\x80",                      // overlong F0 80..8F
             "\xc0\xaf", "\xc1\xbf",                  // overlong C0, C1
             "\xf5\x80\x80\x80", "\xff",              // never a lead byte
             "\x80", "\xc3", "\xe2\x82",              // stray continuation, truncated
         }) {
      out.emplace_back(s);
      out.push_back(std::string("port ") + s + " name");
    }
    return out;
  }();
  return all;
}

std::string hex(const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Varbind octets(std::string value) {
  Varbind vb;
  vb.oid = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 3, 65, 49};
  vb.type = ValueType::kOctetString;
  vb.octets = std::move(value);
  return vb;
}

TEST(EventUtf8, IllFormedStringsAreStoredAsHexAndTheJsonStaysAnArray) {
  for (const auto& s : ill_formed()) {
    const auto text = varbinds_json({octets(s)});
    nlohmann::json json;
    ASSERT_NO_THROW(json = nlohmann::json::parse(text)) << testing::PrintToString(s) << " " << text;
    ASSERT_TRUE(json.is_array()) << text;
    ASSERT_EQ(json.size(), 1u);
    EXPECT_EQ(json[0]["encoding"], "hex") << testing::PrintToString(s);
    EXPECT_EQ(json[0]["value"], hex(s));  // lossless: every byte is there
  }
}

TEST(EventUtf8, WellFormedTextAtTheRangeBoundariesStaysText) {
  for (const char* s : {"\xc2\xa0", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                        "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "caf\xc3\xa9"}) {
    auto json = nlohmann::json::parse(varbinds_json({octets(s)}));
    EXPECT_FALSE(json[0].contains("encoding")) << testing::PrintToString(std::string(s));
    EXPECT_EQ(json[0]["value"], s);
  }
}

DecodedTrap trap_with(std::vector<Varbind> varbinds) {
  DecodedTrap trap;
  trap.agent = trap.source_address = "10.1.12.5";
  trap.trap_oid = "1.3.6.1.4.1.1718.2.100.0.99";
  trap.varbinds = std::move(varbinds);
  return trap;
}

// nlohmann's dump() throws on invalid UTF-8: an independent check of the summary's bytes.
bool dumps(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

TEST(EventUtf8, TheSummaryIsValidUtf8) {
  for (const auto& s : ill_formed()) {
    auto event = to_event(trap_with({octets(s)}));
    EXPECT_TRUE(dumps(event.text)) << testing::PrintToString(event.text);
    EXPECT_NE(event.text.find("0x" + hex(s)), std::string::npos) << event.text;
  }
}

// A Sentry2 port control change names the new status in the summary: the same rule applies.
TEST(EventUtf8, APortControlStatusThatIsNotUtf8IsHexInTheSummary) {
  Varbind status = octets("\xe0\x80\xaf");
  status.oid = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 4, 65, 49};  // sentry2PortControlStatus.A1
  auto trap = trap_with({status});
  trap.trap_oid = "1.3.6.1.4.1.1718.2.100.0.5";
  auto event = to_event(trap);
  EXPECT_TRUE(dumps(event.text)) << testing::PrintToString(event.text);
  EXPECT_NE(event.text.find("port A1 0xe080af"), std::string::npos) << event.text;
  trap.varbinds[0].octets = "On" + std::string(2000, 'n');
  EXPECT_LT(to_event(trap).text.size(), 600u);  // bounded like any other summary
}

TEST(EventUtf8, ALongSummaryIsNotCutInsideACharacter) {
  // Three-byte characters at every alignment against the summary's length limit.
  for (std::size_t shift = 0; shift < 3; ++shift) {
    std::string value(shift, 'x');
    for (int i = 0; i < 400; ++i) value += "\xe2\x82\xac";
    auto event = to_event(trap_with({octets(value)}));
    EXPECT_TRUE(dumps(event.text)) << "shift " << shift;
    EXPECT_LT(event.text.size(), 600u);
  }
}

// The same through the decoder, on a v2c trap whose varbinds carry the byte classes.
TEST(EventUtf8, DecodedTrapWithIllFormedStringsGivesAValidEvent) {
  std::vector<snmp::Varbind> vbs;
  vbs.push_back(snmp::unsigned_value(snmp::kSysUpTime0, ValueType::kTimeTicks, 100));
  vbs.push_back(snmp::oid_value(snmp::kSnmpTrapOid0, {1, 3, 6, 1, 4, 1, 1718, 2, 100, 0, 99}));
  for (const auto& s : ill_formed()) vbs.push_back(octets(s));
  snmp::PduRequest pdu;
  pdu.type = snmp::kPduTrapV2;
  pdu.request_id = 7;
  pdu.varbinds = vbs;
  const auto packet = snmp::encode_v2c("np-trap", pdu);
  ASSERT_FALSE(packet.empty());
  auto m = detail::decode_v1v2c(packet);
  ASSERT_EQ(m.status, detail::V1V2cMessage::Status::kOk) << m.error;
  m.trap.agent = m.trap.source_address = "10.1.12.5";
  auto event = to_event(m.trap);
  auto json = nlohmann::json::parse(event.varbinds_json);
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), ill_formed().size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    EXPECT_EQ(json[i]["encoding"], "hex");
    EXPECT_EQ(json[i]["value"], hex(ill_formed()[i]));
  }
  EXPECT_TRUE(dumps(event.text));
}

}  // namespace
}  // namespace netpower::manager::traps
