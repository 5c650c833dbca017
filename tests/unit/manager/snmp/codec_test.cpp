// The SNMP library's codec: requests byte-identical to net-snmp's encoder, responses of every type
// built by net-snmp decoded exactly, malformed input refused with a clear error, the USM key
// derivation against RFC 3414's vectors, and v3 messages that survive our own digest and
// decryption.

#include <gtest/gtest.h>

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "manager/snmp/ber.h"
#include "manager/snmp/message.h"
#include "manager/snmp/usm.h"
#include "manager/snmp/varbind.h"
#include "tests/unit/manager/snmp/netsnmp_packets.h"

namespace netpower::manager::snmp {
namespace {

using testing::netsnmp_v2c;
using testing::NetSnmpVarbind;

Oid oid(const char* text) { return *parse_oid(text); }

std::string hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

TEST(Oid, ParsePrintAndPrefix) {
  EXPECT_EQ(to_string(oid(".1.3.6.1.4.1.1718.2.1")), "1.3.6.1.4.1.1718.2.1");
  EXPECT_EQ(to_string(oid("1.3.6.1.2.1.33.1")), "1.3.6.1.2.1.33.1");
  EXPECT_FALSE(parse_oid(""));
  EXPECT_FALSE(parse_oid("1"));
  EXPECT_FALSE(parse_oid("1.3."));
  EXPECT_FALSE(parse_oid("1..3"));
  EXPECT_FALSE(parse_oid("3.1"));
  EXPECT_FALSE(parse_oid("1.40"));
  EXPECT_FALSE(parse_oid("1.3.4294967296"));
  EXPECT_TRUE(parse_oid("1.3.4294967295"));
  EXPECT_TRUE(starts_with(oid("1.3.6.1.4"), oid("1.3.6")));
  EXPECT_TRUE(starts_with(oid("1.3.6"), oid("1.3.6")));
  EXPECT_FALSE(starts_with(oid("1.3.7.1"), oid("1.3.6")));
  EXPECT_FALSE(starts_with(oid("1.3"), oid("1.3.6")));
}

TEST(Ber, IntegersAreMinimalTwosComplement) {
  struct Case {
    std::int64_t value;
    const char* bytes;
  } cases[] = {{0, "020100"},
               {127, "02017f"},
               {128, "02020080"},
               {-1, "0201ff"},
               {-128, "020180"},
               {-129, "0202ff7f"},
               {65535, "020300ffff"},
               {2147483647, "02047fffffff"},
               {-2147483648LL, "020480000000"}};
  for (const auto& c : cases) {
    BerEncoder e;
    e.integer(c.value);
    EXPECT_EQ(hex(e.bytes()), c.bytes) << c.value;
    std::int64_t back = 0;
    BerReader r(e.bytes());
    Tlv tlv;
    ASSERT_TRUE(r.expect(kTagInteger, tlv));
    ASSERT_TRUE(decode_integer(tlv.content, back));
    EXPECT_EQ(back, c.value);
  }
  BerEncoder u;
  u.unsigned_integer(4294967295u, kTagGauge32);
  EXPECT_EQ(hex(u.bytes()), "420500ffffffff");
}

TEST(Ber, LongLengthsAndOidArcs) {
  BerEncoder e;
  e.octets(std::string(300, 'x'));
  const auto bytes = e.bytes();
  EXPECT_EQ(hex(bytes.first(4)), "0482012c");
  BerEncoder o;
  ASSERT_TRUE(o.oid(oid("1.3.6.1.4.1.32473.4294967295")));
  BerReader r(o.bytes());
  Tlv tlv;
  ASSERT_TRUE(r.expect(kTagOid, tlv));
  Oid back;
  ASSERT_TRUE(decode_oid(tlv.content, back));
  EXPECT_EQ(to_string(back), "1.3.6.1.4.1.32473.4294967295");
  BerEncoder bad;
  EXPECT_FALSE(bad.oid(Oid{1}));
  EXPECT_EQ(bad.size(), 0u);
}

// The request the poller sends is byte for byte what net-snmp's encoder produces for the same PDU.
TEST(Codec, GetBulkMatchesNetSnmp) {
  const std::vector<Oid> roots = {oid("1.3.6.1.4.1.1718.2.1"), oid("1.3.6.1.2.1.33.1"),
                                  oid("1.3.6.1.4.1.32473.1.1.200.4294967295")};
  for (std::int32_t request_id : {1, 127, 128, 0x12345678, 0x7fffffff}) {
    for (int reps : {1, 10, 25, 200}) {
      PduRequest pdu;
      pdu.type = kPduGetBulk;
      pdu.request_id = request_id;
      pdu.non_repeaters = 0;
      pdu.max_repetitions = reps;
      pdu.oids = roots;
      const auto ours = encode_v2c("np-ro-community", pdu);
      std::vector<NetSnmpVarbind> vbs;
      for (const auto& r : roots) vbs.push_back({to_string(r), 'n', ""});
      const auto theirs =
          netsnmp_v2c("np-ro-community", SNMP_MSG_GETBULK, request_id, 0, reps, vbs);
      EXPECT_EQ(hex(ours), hex(theirs)) << "request-id " << request_id << " reps " << reps;
    }
  }
  // A long community and many OIDs need long-form lengths.
  std::vector<Oid> many(40, oid("1.3.6.1.4.1.1718.2.1.4.1.6.65.49"));
  PduRequest pdu;
  pdu.request_id = 42;
  pdu.non_repeaters = 2;
  pdu.max_repetitions = 5;
  pdu.oids = many;
  std::vector<NetSnmpVarbind> vbs(many.size(), {to_string(many[0]), 'n', ""});
  EXPECT_EQ(hex(encode_v2c(std::string(200, 'c'), pdu)),
            hex(netsnmp_v2c(std::string(200, 'c'), SNMP_MSG_GETBULK, 42, 2, 5, vbs)));
}

TEST(Codec, GetMatchesNetSnmp) {
  const std::vector<Oid> oids = {oid("1.3.6.1.2.1.1.3.0")};
  PduRequest pdu;
  pdu.type = kPduGet;
  pdu.request_id = 99;
  pdu.oids = oids;
  EXPECT_EQ(hex(encode_v2c("c", pdu)),
            hex(netsnmp_v2c("c", SNMP_MSG_GET, 99, 0, 0, {{"1.3.6.1.2.1.1.3.0", 'n', ""}})));
}

// A SET is byte for byte what net-snmp's encoder produces for the same typed values.
TEST(Codec, SetMatchesNetSnmp) {
  const std::vector<Varbind> ours = {
      integer_value(oid("1.3.6.1.4.1.1718.2.1.4.1.2.65.49"), 1),
      integer_value(oid("1.3.6.1.4.1.32473.1.1.2.0"), -2147483648LL),
      octets_value(oid("1.3.6.1.4.1.32473.1.1.3.1.2.65.49"), "web-1"),
      oid_value(oid("1.3.6.1.4.1.32473.1.1.9.0"), oid("1.3.6.1.4.1.32473.1")),
      ip_value(oid("1.3.6.1.4.1.32473.1.1.10.0"), "10.1.12.5"),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.11.0"), ValueType::kGauge32, 4294967295u),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.12.0"), ValueType::kTimeTicks, 6000),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.13.0"), ValueType::kCounter32, 128),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.14.0"), ValueType::kCounter64, 1ull << 40),
  };
  const std::vector<NetSnmpVarbind> theirs = {
      {"1.3.6.1.4.1.1718.2.1.4.1.2.65.49", 'i', "1"},
      {"1.3.6.1.4.1.32473.1.1.2.0", 'i', "-2147483648"},
      {"1.3.6.1.4.1.32473.1.1.3.1.2.65.49", 's', "web-1"},
      {"1.3.6.1.4.1.32473.1.1.9.0", 'o', "1.3.6.1.4.1.32473.1"},
      {"1.3.6.1.4.1.32473.1.1.10.0", 'a', "10.1.12.5"},
      {"1.3.6.1.4.1.32473.1.1.11.0", 'u', "4294967295"},
      {"1.3.6.1.4.1.32473.1.1.12.0", 't', "6000"},
      {"1.3.6.1.4.1.32473.1.1.13.0", 'c', "128"},
      {"1.3.6.1.4.1.32473.1.1.14.0", 'C', "1099511627776"},
  };
  PduRequest pdu;
  pdu.type = kPduSet;
  pdu.request_id = 0x1234;
  pdu.varbinds = ours;
  EXPECT_EQ(hex(encode_v2c("np-rw", pdu)),
            hex(netsnmp_v2c("np-rw", SNMP_MSG_SET, 0x1234, 0, 0, theirs)));
  // And it decodes back to the same typed values.
  const auto bytes = encode_v2c("np-rw", pdu);
  V2cMessage m;
  std::string error;
  ASSERT_TRUE(decode_v2c(bytes, m, error)) << error;
  EXPECT_EQ(m.pdu.type, kPduSet);
  EXPECT_EQ(m.pdu.varbinds, ours);
}

TEST(Codec, ValuesASetCannotCarryAreRefused) {
  BerEncoder out;
  EXPECT_FALSE(encode_value(out, integer_value(oid("1.3.6.1.2"), 2147483648LL)));
  EXPECT_FALSE(encode_value(out, ip_value(oid("1.3.6.1.2"), "10.1.2")));
  EXPECT_FALSE(encode_value(out, ip_value(oid("1.3.6.1.2"), "10.1.2.3.4")));
  EXPECT_FALSE(encode_value(out, ip_value(oid("1.3.6.1.2"), "10.1.2.256")));
  EXPECT_FALSE(
      encode_value(out, unsigned_value(oid("1.3.6.1.2"), ValueType::kTimeTicks, 1ull << 32)));
  Varbind bad_oid = octets_value(oid("1.3.6.1.2"), "1.3.x");
  bad_oid.type = ValueType::kOid;
  EXPECT_FALSE(encode_value(out, bad_oid));
  EXPECT_EQ(out.size(), 0u);  // nothing written by a refusal
  PduRequest pdu;
  pdu.type = kPduSet;
  const std::vector<Varbind> one = {bad_oid};
  pdu.varbinds = one;
  EXPECT_TRUE(encode_v2c("c", pdu).empty());
}

TEST(Codec, DecodesEveryTypeNetSnmpEncodes) {
  const std::vector<NetSnmpVarbind> vbs = {
      {"1.3.6.1.4.1.1718.2.1.1.0", 's', "rack 12"},
      {"1.3.6.1.4.1.1718.2.2.1.0", 'i', "-42"},
      {"1.3.6.1.4.1.1718.2.2.2.0", 'i', "2147483647"},
      {"1.3.6.1.2.1.33.1.2.1.0", 'u', "4294967295"},
      {"1.3.6.1.2.1.1.3.0", 't', "123456"},
      {"1.3.6.1.2.1.2.2.1.10.1", 'c', "3000000000"},
      {"1.3.6.1.2.1.31.1.1.1.6.1", 'C', "18446744073709551615"},
      {"1.3.6.1.2.1.4.20.1.1.1", 'a', "192.0.2.17"},
      {"1.3.6.1.2.1.1.2.0", 'o', "1.3.6.1.4.1.1718.2"},
      {"1.3.6.1.4.1.99.1", 'x', "00ff8041"},
      {"1.3.6.1.4.1.99.2", 'Q', std::string("\x9f\x78\x04", 3)},
      {"1.3.6.1.4.1.99.3", 'n', ""},
      {"1.3.6.1.4.1.99.4", 'X', "noSuchObject"},
      {"1.3.6.1.4.1.99.5", 'X', "noSuchInstance"},
      {"1.3.6.1.4.1.99.6", 'X', "endOfMibView"},
      {"1.3.6.1.4.1.99.7", 's', ""},
  };
  const auto packet = netsnmp_v2c("np-ro", SNMP_MSG_RESPONSE, 77, 0, 0, vbs);
  V2cMessage m;
  std::string error;
  ASSERT_TRUE(decode_v2c(packet, m, error)) << error;
  EXPECT_EQ(m.community, "np-ro");
  EXPECT_EQ(m.pdu.type, kPduResponse);
  EXPECT_EQ(m.pdu.request_id, 77);
  ASSERT_EQ(m.pdu.varbinds.size(), vbs.size());
  const auto& v = m.pdu.varbinds;
  for (std::size_t i = 0; i < vbs.size(); ++i) EXPECT_EQ(to_string(v[i].oid), vbs[i].oid);
  EXPECT_EQ(v[0].type, ValueType::kOctetString);
  EXPECT_EQ(v[0].octets, "rack 12");
  EXPECT_EQ(v[1].type, ValueType::kInteger);
  EXPECT_EQ(v[1].integer, -42);
  EXPECT_EQ(v[2].integer, 2147483647);
  EXPECT_EQ(v[3].type, ValueType::kGauge32);
  EXPECT_EQ(v[3].number, 4294967295u);
  EXPECT_EQ(v[4].type, ValueType::kTimeTicks);
  EXPECT_EQ(v[4].number, 123456u);
  EXPECT_EQ(v[5].type, ValueType::kCounter32);
  EXPECT_EQ(v[5].number, 3000000000u);
  EXPECT_EQ(v[6].type, ValueType::kCounter64);
  EXPECT_EQ(v[6].number, 18446744073709551615ull);
  EXPECT_EQ(v[7].type, ValueType::kIpAddress);
  EXPECT_EQ(v[7].octets, "192.0.2.17");
  EXPECT_EQ(v[8].type, ValueType::kOid);
  EXPECT_EQ(v[8].octets, "1.3.6.1.4.1.1718.2");
  EXPECT_EQ(v[9].type, ValueType::kOctetString);
  EXPECT_EQ(v[9].octets, std::string("\x00\xff\x80\x41", 4));
  EXPECT_EQ(v[10].type, ValueType::kOpaque);
  EXPECT_EQ(v[10].octets, std::string("\x9f\x78\x04", 3));
  EXPECT_EQ(v[11].type, ValueType::kNull);
  EXPECT_EQ(v[12].type, ValueType::kNoSuchObject);
  EXPECT_EQ(v[13].type, ValueType::kNoSuchInstance);
  EXPECT_EQ(v[14].type, ValueType::kEndOfMibView);
  EXPECT_EQ(v[15].type, ValueType::kOctetString);
  EXPECT_EQ(v[15].octets, "");
  EXPECT_EQ(v[3].value_text(), "4294967295");
  EXPECT_EQ(v[1].value_text(), "-42");
  EXPECT_EQ(v[12].value_text(), "");
}

TEST(Codec, ErrorStatusAndNames) {
  const auto packet =
      netsnmp_v2c("c", SNMP_MSG_RESPONSE, 5, 1, 0, {{"1.3.6.1.2.1.1.3.0", 'n', ""}});
  V2cMessage m;
  std::string error;
  ASSERT_TRUE(decode_v2c(packet, m, error)) << error;
  EXPECT_EQ(m.pdu.error_status, 1);
  EXPECT_EQ(error_status_name(1), "tooBig");
  EXPECT_EQ(error_status_name(16), "authorizationError");
  EXPECT_EQ(error_status_name(99), "error 99");
}

// Every truncation of a valid response, and every single flipped byte, is refused or decoded
// without reading past the packet; the errors say what was wrong.
TEST(Codec, TruncatedAndGarbageInputGiveClearErrors) {
  const auto packet =
      netsnmp_v2c("np-ro", SNMP_MSG_RESPONSE, 77, 0, 0, testing::sentry2_port_rows(8));
  for (std::size_t n = 0; n < packet.size(); ++n) {
    std::vector<std::uint8_t> cut(packet.begin(), packet.begin() + static_cast<long>(n));
    V2cMessage m;
    std::string error;
    EXPECT_FALSE(decode_v2c(cut, m, error)) << n;
    EXPECT_FALSE(error.empty()) << n;
  }
  for (std::size_t i = 0; i < packet.size(); ++i) {
    auto flipped = packet;
    flipped[i] ^= 0xA5;
    V2cMessage m;
    std::string error;
    if (!decode_v2c(flipped, m, error)) {
      EXPECT_FALSE(error.empty()) << i;
    }
  }
  struct Case {
    std::vector<std::uint8_t> bytes;
    const char* error;
  } cases[] = {
      {{}, "not a BER SEQUENCE"},
      {{0x04, 0x00}, "not a BER SEQUENCE"},
      {{0x30, 0x03, 0x02, 0x01, 0x03}, "not an SNMPv1/v2c message"},
      {{0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x00}, "bad community"},
      {{0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xA2, 0x00}, "bad request-id"},
      {{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, "not a BER SEQUENCE"},  // indefinite
      {{0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02}, "not a BER SEQUENCE"},  // huge length
  };
  for (const auto& c : cases) {
    V2cMessage m;
    std::string error;
    EXPECT_FALSE(decode_v2c(c.bytes, m, error));
    EXPECT_EQ(error, c.error) << hex(c.bytes);
  }
  // A varbind whose value is an INTEGER of 5 bytes names the OID.
  auto bad = netsnmp_v2c("c", SNMP_MSG_RESPONSE, 1, 0, 0, {{"1.3.6.1.2.1.1.7.0", 'i', "72"}});
  ASSERT_EQ(bad[bad.size() - 3], 0x02);  // ... 02 01 48
  bad[bad.size() - 3] = 0x07;            // an unknown tag
  V2cMessage m;
  std::string error;
  EXPECT_FALSE(decode_v2c(bad, m, error));
  EXPECT_EQ(error, "bad value of 1.3.6.1.2.1.1.7.0");
}

// RFC 3414 A.3.1 / A.3.2: "maplesyrup" and engine ID 00 00 00 00 00 00 00 00 00 00 00 02.
TEST(Usm, KeyDerivationMatchesRfc3414) {
  const std::vector<std::uint8_t> engine = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const auto md5 = password_to_key(AuthProtocol::kMd5, "maplesyrup");
  EXPECT_EQ(hex(md5), "9faf3283884e92834ebc9847d8edd963");
  EXPECT_EQ(hex(localize_key(AuthProtocol::kMd5, md5, engine)), "526f5eed9fcce26f8964c2930787d82b");
  const auto sha = password_to_key(AuthProtocol::kSha, "maplesyrup");
  EXPECT_EQ(hex(sha), "9fb5cc0381497b3793528939ff788d5d79145211");
  EXPECT_EQ(hex(localize_key(AuthProtocol::kSha, sha, engine)),
            "6695febc9288e36282235fc7151f128497b38f3f");
  // Extension for AES-256 with SHA-1: Kul | H(Kul), cut to 32 bytes.
  const auto kul = localize_key(AuthProtocol::kSha, sha, engine);
  const auto extended = privacy_key(AuthProtocol::kSha, PrivProtocol::kAes256, kul);
  ASSERT_EQ(extended.size(), 32u);
  EXPECT_EQ(hex(std::span(extended).first(20)), hex(kul));
  EXPECT_EQ(privacy_key(AuthProtocol::kSha, PrivProtocol::kAes, kul).size(), 16u);
}

// An authPriv request decodes with our own v3 parser, its digest verifies, and it decrypts to the
// PDU we encoded; a wrong key fails the digest.
TEST(Usm, EncodedRequestRoundTrips) {
  for (auto priv : {PrivProtocol::kAes, PrivProtocol::kAes256, PrivProtocol::kDes}) {
    for (auto auth :
         {AuthProtocol::kSha, AuthProtocol::kSha256, AuthProtocol::kMd5, AuthProtocol::kSha512}) {
      const std::vector<std::uint8_t> engine = {0x80, 0, 0x1f, 0x88, 4, 'n', 'p'};
      UsmKeys keys;
      keys.user = "np-admin";
      keys.auth_protocol = auth;
      keys.priv_protocol = priv;
      keys.auth_key = localize_key(auth, password_to_key(auth, "np-auth-secret"), engine);
      keys.priv_key = privacy_key(
          auth, priv, localize_key(auth, password_to_key(auth, "np-priv-secret"), engine));
      const std::vector<Oid> oids = {oid("1.3.6.1.4.1.1718.2.1")};
      PduRequest pdu;
      pdu.request_id = 1234;
      pdu.max_repetitions = 25;
      pdu.oids = oids;
      V3Request h;
      h.msg_id = 1234;
      h.engine_id = engine;
      h.engine_boots = 3;
      h.engine_time = 1000;
      h.salt = 0x0102030405060708ull;
      auto packet = encode_v3(keys, h, pdu);
      ASSERT_FALSE(packet.empty());
      V3Message m;
      std::string error;
      ASSERT_TRUE(decode_v3(packet, m, error)) << error;
      EXPECT_EQ(m.msg_id, 1234);
      EXPECT_EQ(m.flags, kFlagAuth | kFlagPriv | kFlagReportable);
      EXPECT_EQ(m.user, "np-admin");
      EXPECT_EQ(m.engine_boots, 3);
      EXPECT_EQ(m.engine_time, 1000);
      EXPECT_EQ(m.auth_length, mac_length(auth));
      EXPECT_TRUE(m.encrypted);
      EXPECT_TRUE(verify_digest(keys, packet, m));
      Bytes plain;
      ASSERT_TRUE(decrypt(keys, m, plain));
      Pdu decoded;
      ASSERT_TRUE(decode_scoped_pdu(plain, decoded, error)) << error;
      EXPECT_EQ(decoded.type, kPduGetBulk);
      EXPECT_EQ(decoded.request_id, 1234);
      EXPECT_EQ(decoded.error_index, 25);  // max-repetitions
      ASSERT_EQ(decoded.varbinds.size(), 1u);
      EXPECT_EQ(decoded.varbinds[0].oid, oids[0]);
      auto wrong = keys;
      wrong.auth_key[0] ^= 1;
      EXPECT_FALSE(verify_digest(wrong, packet, m));
    }
  }
}

TEST(Usm, DiscoveryProbeIsPlainAndReportable) {
  auto packet = encode_discovery(7, 7);
  V3Message m;
  std::string error;
  ASSERT_TRUE(decode_v3(packet, m, error)) << error;
  EXPECT_EQ(m.flags, kFlagReportable);
  EXPECT_TRUE(m.engine_id.empty());
  EXPECT_TRUE(m.user.empty());
  Pdu pdu;
  ASSERT_TRUE(decode_scoped_pdu(m.data, pdu, error)) << error;
  EXPECT_EQ(pdu.type, kPduGet);
  EXPECT_TRUE(pdu.varbinds.empty());
}

}  // namespace
}  // namespace netpower::manager::snmp

namespace netpower::manager::snmp {
namespace {

// Writes the fuzz corpus (fuzz/corpus/manager_snmp) when NETPOWER_WRITE_SNMP_CORPUS names a
// directory: net-snmp's responses, our v3 messages with the fuzz target's keys, and broken ones.
TEST(Corpus, Write) {
  const char* dir = std::getenv("NETPOWER_WRITE_SNMP_CORPUS");
  if (dir == nullptr) GTEST_SKIP() << "NETPOWER_WRITE_SNMP_CORPUS not set";
  auto write = [&](const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  };
  const auto rows = netsnmp_v2c("np-ro", SNMP_MSG_RESPONSE, 9, 0, 0, testing::sentry2_port_rows(4));
  write("v2c_sentry2_rows.bin", rows);
  write("v2c_all_types.bin", netsnmp_v2c("np-ro", SNMP_MSG_RESPONSE, 77, 0, 0,
                                         {{"1.3.6.1.2.1.1.3.0", 't', "123456"},
                                          {"1.3.6.1.2.1.1.2.0", 'o', "1.3.6.1.4.1.1718.2"},
                                          {"1.3.6.1.4.1.1718.2.2.1.0", 'i', "-42"},
                                          {"1.3.6.1.2.1.33.1.2.1.0", 'u', "4294967295"},
                                          {"1.3.6.1.2.1.31.1.1.1.6.1", 'C', "18446744073709551615"},
                                          {"1.3.6.1.2.1.4.20.1.1.1", 'a', "192.0.2.17"},
                                          {"1.3.6.1.4.1.99.2", 'Q', std::string("\x9f\x78\x04", 3)},
                                          {"1.3.6.1.4.1.99.6", 'X', "endOfMibView"}}));
  write("v2c_too_big.bin",
        netsnmp_v2c("c", SNMP_MSG_RESPONSE, 5, 1, 0, {{"1.3.6.1.2.1.1.3.0", 'n', ""}}));
  write("v2c_truncated.bin", std::vector<std::uint8_t>(rows.begin(), rows.begin() + 40));
  // A SET of every type a SET may carry, and the agent's wrongValue answer to it (index 2).
  const std::vector<NetSnmpVarbind> set = {{"1.3.6.1.4.1.1718.2.1.4.1.2.65.49", 'i', "1"},
                                           {"1.3.6.1.4.1.1718.2.1.4.1.2.65.50", 'i', "9"},
                                           {"1.3.6.1.4.1.32473.1.1.3.1.2.65.49", 's', "web-1"},
                                           {"1.3.6.1.4.1.32473.1.1.9.0", 'o', "1.3.6.1.4.1"},
                                           {"1.3.6.1.4.1.32473.1.1.10.0", 'a', "10.1.12.5"},
                                           {"1.3.6.1.4.1.32473.1.1.11.0", 'u', "7"},
                                           {"1.3.6.1.4.1.32473.1.1.12.0", 't', "6000"},
                                           {"1.3.6.1.4.1.32473.1.1.14.0", 'C', "1099511627776"}};
  write("v2c_set_request.bin", netsnmp_v2c("np-rw", SNMP_MSG_SET, 11, 0, 0, set));
  write("v2c_set_wrong_value.bin", netsnmp_v2c("np-rw", SNMP_MSG_RESPONSE, 11, 10, 2, set));

  const std::vector<std::uint8_t> engine = {0x80, 0x00, 0x1f, 0x88, 0x04, 'n', 'p'};
  for (auto priv : {PrivProtocol::kAes, PrivProtocol::kDes}) {
    UsmKeys keys;
    keys.user = "np-admin";
    keys.priv_protocol = priv;
    keys.auth_key = localize_key(keys.auth_protocol,
                                 password_to_key(keys.auth_protocol, "np-auth-secret"), engine);
    keys.priv_key =
        privacy_key(keys.auth_protocol, priv,
                    localize_key(keys.auth_protocol,
                                 password_to_key(keys.auth_protocol, "np-priv-secret"), engine));
    const std::vector<Oid> oids = {oid("1.3.6.1.4.1.1718.2.1.4.1.6.65.49"),
                                   oid("1.3.6.1.2.1.33.1.2.1.0")};
    PduRequest pdu;
    pdu.type = kPduResponse;
    pdu.request_id = 4321;
    pdu.oids = oids;
    V3Request h;
    h.msg_id = 4321;
    h.engine_id = engine;
    h.engine_boots = 2;
    h.engine_time = 77;
    h.salt = 99;
    const char* name = priv == PrivProtocol::kDes ? "v3_authpriv_des.bin" : "v3_authpriv_aes.bin";
    write(name, encode_v3(keys, h, pdu));
    if (priv == PrivProtocol::kAes) {
      keys.level = SecurityLevel::kNoAuthNoPriv;
      const std::vector<Oid> report = {oid("1.3.6.1.6.3.15.1.1.5.0")};
      pdu.type = kPduReport;
      pdu.oids = report;
      write("v3_report_wrong_digest.bin", encode_v3(keys, h, pdu));
    }
  }
  write("v3_discovery.bin", encode_discovery(1, 1));
}

}  // namespace
}  // namespace netpower::manager::snmp
