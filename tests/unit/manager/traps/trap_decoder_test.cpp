// The v1/v2c decoder (the SNMP library's, through traps::detail) on real datagrams captured from
// snmptrap/snmpinform (fuzz/corpus/ manager_traps), RFC 3584's v1 mapping, inform answers,
// malformed input, and the stored event.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "manager/snmp/message.h"
#include "manager/traps/decoded_trap.h"
#include "manager/traps/detail/trap_decoder.h"

namespace netpower::manager::traps {
namespace {

using detail::V1V2cMessage;

std::vector<std::uint8_t> corpus(const std::string& name) {
  std::ifstream in(std::filesystem::path(NETPOWER_TRAPS_CORPUS_DIR) / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(TrapDecoder, V1EnterpriseSpecificTrapMapsToEnterpriseZeroSpecific) {
  auto packet = corpus("v1_sentry2_control_change.bin");
  auto m = detail::decode_v1v2c(packet);
  ASSERT_EQ(m.status, V1V2cMessage::Status::kOk) << m.error;
  EXPECT_EQ(m.community, "np-trap");
  EXPECT_EQ(m.trap.version, TrapVersion::kV1);
  EXPECT_EQ(m.trap.kind, NotificationKind::kTrapV1);
  // RFC 3584 3.1: enterprise.0.specific; the Sentry2 notifications sit exactly there.
  EXPECT_EQ(m.trap.trap_oid, "1.3.6.1.4.1.1718.2.100.0.5");
  EXPECT_EQ(m.trap.uptime, 12345u);
  ASSERT_EQ(m.trap.varbinds.size(), 4u);
  EXPECT_EQ(snmp::to_string(m.trap.varbinds[0].oid), "1.3.6.1.4.1.1718.2.1.1.0");
  EXPECT_EQ(m.trap.varbinds[0].octets, "rack 12");
  EXPECT_EQ(m.trap.varbinds[2].oid, kSnmpTrapAddress0);
  EXPECT_EQ(m.trap.varbinds[2].octets, "10.1.12.5");
  EXPECT_EQ(m.trap.varbinds[3].oid, kSnmpTrapEnterprise0);
  EXPECT_EQ(m.trap.varbinds[3].octets, "1.3.6.1.4.1.1718.2.100");
  auto change = port_control_change(m.trap);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->port, "A1");
  EXPECT_EQ(change->status, "On");
}

TEST(TrapDecoder, V1GenericTrapMapsToSnmpTraps) {
  auto m = detail::decode_v1v2c(corpus("v1_generic_linkdown.bin"));
  ASSERT_EQ(m.status, V1V2cMessage::Status::kOk) << m.error;
  EXPECT_EQ(m.trap.trap_oid, "1.3.6.1.6.3.1.1.5.3");  // linkDown = generic 2
  EXPECT_STREQ(known_trap_name(m.trap.trap_oid), "linkDown");
}

TEST(TrapDecoder, V2cTrapEveryType) {
  auto m = detail::decode_v1v2c(corpus("v2c_all_types.bin"));
  ASSERT_EQ(m.status, V1V2cMessage::Status::kOk) << m.error;
  EXPECT_EQ(m.trap.kind, NotificationKind::kTrapV2);
  EXPECT_EQ(m.trap.uptime, 12345u);
  EXPECT_EQ(m.trap.trap_oid, "1.3.6.1.4.1.32473.9.1");
  const auto& v = m.trap.varbinds;
  ASSERT_EQ(v.size(), 9u);
  EXPECT_EQ(v[0].type, ValueType::kInteger);
  EXPECT_EQ(v[0].integer, -5);
  EXPECT_EQ(v[1].type, ValueType::kGauge32);
  EXPECT_EQ(v[1].number, 4294967295u);
  EXPECT_EQ(v[2].type, ValueType::kCounter32);
  EXPECT_EQ(v[2].number, 7u);
  EXPECT_EQ(v[3].type, ValueType::kTimeTicks);
  EXPECT_EQ(v[3].number, 100u);
  EXPECT_EQ(v[4].type, ValueType::kIpAddress);
  EXPECT_EQ(v[4].octets, "192.0.2.1");
  EXPECT_EQ(v[5].type, ValueType::kOid);
  EXPECT_EQ(v[5].octets, "1.3.6.1.4.1.1718");
  EXPECT_EQ(v[6].type, ValueType::kOctetString);
  EXPECT_EQ(v[6].octets, std::string("\x00\xff\x10", 3));
  EXPECT_EQ(v[7].octets, "h\xc3\xa9llo");
  EXPECT_EQ(v[8].type, ValueType::kNull);

  auto json = nlohmann::json::parse(varbinds_json(v));
  EXPECT_EQ(json[0]["value"], -5);
  EXPECT_EQ(json[1]["type"], "Gauge32");
  EXPECT_EQ(json[6]["value"], "00ff10");
  EXPECT_EQ(json[6]["encoding"], "hex");
  EXPECT_EQ(json[7]["value"], "h\xc3\xa9llo");
  EXPECT_TRUE(json[8]["value"].is_null());
}

TEST(TrapDecoder, InformIsAnsweredWithTheSameMessageAsAResponse) {
  auto packet = corpus("v2c_inform.bin");
  auto m = detail::decode_v1v2c(packet);
  ASSERT_EQ(m.status, V1V2cMessage::Status::kOk) << m.error;
  EXPECT_EQ(m.trap.kind, NotificationKind::kInform);
  EXPECT_NE(m.trap.request_id, 0);
  EXPECT_EQ(m.trap.trap_oid, "1.3.6.1.2.1.33.2.3");
  auto response = detail::inform_response(packet, m);
  ASSERT_EQ(response.size(), packet.size());
  EXPECT_EQ(packet[m.pdu_offset], 0xA6);
  EXPECT_EQ(response[m.pdu_offset], 0xA2);
  response[m.pdu_offset] = 0xA6;
  EXPECT_EQ(response, packet);
  // A trap gets no answer.
  auto trap = corpus("v2c_ups_on_battery.bin");
  EXPECT_TRUE(detail::inform_response(trap, detail::decode_v1v2c(trap)).empty());
}

TEST(TrapDecoder, V3AndNonNotificationsAreRecognised) {
  EXPECT_EQ(detail::decode_v1v2c(corpus("v3_trap_authpriv.bin")).status, V1V2cMessage::Status::kV3);
  EXPECT_EQ(snmp::peek_version(corpus("v3_inform_probe.bin")), 3);
  auto get = detail::decode_v1v2c(corpus("v2c_get_request.bin"));
  EXPECT_EQ(get.status, V1V2cMessage::Status::kNotification);
  EXPECT_NE(get.error.find("A0"), std::string::npos) << get.error;
}

TEST(TrapDecoder, MalformedInputIsRefusedWithAReason) {
  for (const auto* name : {"bad_truncated.bin", "bad_huge_length.bin", "bad_indefinite.bin",
                           "bad_first_varbind.bin"}) {
    auto m = detail::decode_v1v2c(corpus(name));
    EXPECT_EQ(m.status, V1V2cMessage::Status::kBad) << name;
    EXPECT_FALSE(m.error.empty()) << name;
  }
  EXPECT_EQ(detail::decode_v1v2c({}).status, V1V2cMessage::Status::kBad);
  // Every prefix of a good packet is refused, never read past.
  auto packet = corpus("v2c_sentry2_control_change.bin");
  for (std::size_t n = 0; n < packet.size(); ++n) {
    auto m = detail::decode_v1v2c(std::span<const std::uint8_t>(packet.data(), n));
    EXPECT_EQ(m.status, V1V2cMessage::Status::kBad) << n;
  }
}

TEST(TrapDecoder, OidEncodings) {
  std::string out;
  const std::uint8_t big[] = {0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f};  // 1.3.4294967295
  EXPECT_TRUE(snmp::decode_oid_text(big, out));
  EXPECT_EQ(out, "1.3.4294967295");
  const std::uint8_t too_big[] = {0x2b, 0x90, 0x80, 0x80, 0x80, 0x00};
  EXPECT_FALSE(snmp::decode_oid_text(too_big, out));
  const std::uint8_t unfinished[] = {0x2b, 0x86};
  EXPECT_FALSE(snmp::decode_oid_text(unfinished, out));
  const std::uint8_t padded[] = {0x2b, 0x80, 0x01};
  EXPECT_FALSE(snmp::decode_oid_text(padded, out));
  const std::uint8_t joint[] = {0x88, 0x37, 0x01};  // 2.999.1
  EXPECT_TRUE(snmp::decode_oid_text(joint, out));
  EXPECT_EQ(out, "2.999.1");
}

TEST(TrapEvent, EventCarriesAgentOidVarbindsAndSummary) {
  auto m = detail::decode_v1v2c(corpus("v2c_sentry2_control_change.bin"));
  ASSERT_EQ(m.status, V1V2cMessage::Status::kOk) << m.error;
  m.trap.agent = "rack12-pdu";
  m.trap.source_address = "10.1.12.5";
  auto event = to_event(m.trap);
  EXPECT_EQ(event.kind, model::EventKind::kTrap);
  EXPECT_EQ(event.agent, "rack12-pdu");
  EXPECT_EQ(event.oid, "1.3.6.1.4.1.1718.2.100.0.5");
  auto json = nlohmann::json::parse(event.varbinds_json);
  ASSERT_EQ(json.size(), 3u);
  EXPECT_EQ(json[2]["oid"], "1.3.6.1.4.1.1718.2.1.4.1.4.65.49");
  EXPECT_EQ(json[2]["type"], "STRING");
  EXPECT_EQ(json[2]["value"], "Off");
  EXPECT_EQ(event.text,
            "sentry2PortControlStatusChange (v2c) from rack12-pdu (10.1.12.5): port A1 Off");
}

// varbinds_json() writes JSON by hand for speed; it must give exactly what a nlohmann::json tree
// of the same items dumps (the format the store and the API promise), for every type and for
// strings that need escaping, invalid UTF-8 or control characters.
nlohmann::json reference_item(const Varbind& vb) {
  nlohmann::json item{{"oid", snmp::to_string(vb.oid)}, {"type", to_string(vb.type)}};
  switch (vb.type) {
    case ValueType::kInteger:
      item["value"] = vb.integer;
      break;
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks:
    case ValueType::kCounter64:
      item["value"] = vb.number;
      break;
    case ValueType::kOctetString:
    case ValueType::kOpaque:
      break;  // text or hex: decided by the caller
    case ValueType::kOid:
    case ValueType::kIpAddress:
      item["value"] = vb.octets;
      break;
    default:
      item["value"] = nullptr;
      break;
  }
  return item;
}

TEST(VarbindsJson, MatchesANlohmannTreeByteForByte) {
  std::vector<Varbind> all;
  auto add = [&](ValueType type, std::string octets, std::int64_t integer = 0,
                 std::uint64_t number = 0) {
    Varbind vb;
    vb.oid = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, static_cast<std::uint32_t>(all.size())};
    vb.type = type;
    vb.octets = std::move(octets);
    vb.integer = integer;
    vb.number = number;
    all.push_back(vb);
  };
  add(ValueType::kInteger, "", -2147483648LL);
  add(ValueType::kInteger, "", 42);
  add(ValueType::kCounter64, "", 0, 18446744073709551615ULL);
  add(ValueType::kTimeTicks, "", 0, 4294967295ULL);
  add(ValueType::kGauge32, "", 0, 7);
  add(ValueType::kCounter32, "", 0, 1);
  add(ValueType::kOctetString, "plain text");
  add(ValueType::kOctetString, "quote \" backslash \\ tab\t line\nend\r");
  add(ValueType::kOctetString, "caf\xc3\xa9 \xe2\x82\xac");      // UTF-8 passes through
  add(ValueType::kOctetString, std::string("\x00\x01\xff", 3));  // not text: hex
  add(ValueType::kOctetString, "");
  add(ValueType::kOpaque, "abc");  // Opaque is always hex
  add(ValueType::kOid, "1.3.6.1.2.1.1.3.0");
  add(ValueType::kIpAddress, "10.1.12.5");
  add(ValueType::kNull, "");
  add(ValueType::kNoSuchInstance, "");
  // The expected document, built as a tree (values of strings decided as varbinds_json documents:
  // printable UTF-8 as text, anything else as hex).
  auto expected = nlohmann::json::array();
  for (const auto& vb : all) {
    auto item = reference_item(vb);
    if (vb.type == ValueType::kOctetString || vb.type == ValueType::kOpaque) {
      bool printable = vb.type == ValueType::kOctetString &&
                       vb.octets.find_first_of(std::string("\x00\x01\xff", 3)) == std::string::npos;
      if (printable) {
        item["value"] = vb.octets;
      } else {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string hex;
        for (unsigned char c : vb.octets) {
          hex.push_back(kDigits[c >> 4]);
          hex.push_back(kDigits[c & 15]);
        }
        item["value"] = hex;
        item["encoding"] = "hex";
      }
    }
    expected.push_back(item);
  }
  EXPECT_EQ(varbinds_json(all), expected.dump());
  EXPECT_EQ(varbinds_json({}), "[]");
}

}  // namespace
}  // namespace netpower::manager::traps
