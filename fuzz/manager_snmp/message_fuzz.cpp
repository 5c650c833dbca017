// Fuzz target for the SNMP library's parsers of answers (manager/snmp): the v2c message and PDU
// decoder, the SNMPv3 header and USM security parameters, digest verification and decryption of a
// message that claims our engine, and the scoped PDU of what decrypts. Any bytes must be decoded
// or refused with an error, never read out of bounds; what decodes must re-encode, as a request and
// as a SET of the same values that decodes to the same varbinds.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "manager/snmp/message.h"
#include "manager/snmp/usm.h"

namespace {

using namespace netpower::manager;
using namespace netpower::manager::snmp;

const UsmKeys& keys(PrivProtocol priv) {
  static const auto make = [](PrivProtocol p) {
    const std::vector<std::uint8_t> engine = {0x80, 0x00, 0x1f, 0x88, 0x04, 'n', 'p'};
    UsmKeys k;
    k.user = "np-admin";
    k.priv_protocol = p;
    k.auth_key =
        localize_key(k.auth_protocol, password_to_key(k.auth_protocol, "np-auth-secret"), engine);
    k.priv_key = privacy_key(
        k.auth_protocol, p,
        localize_key(k.auth_protocol, password_to_key(k.auth_protocol, "np-priv-secret"), engine));
    return k;
  };
  static const UsmKeys aes = make(PrivProtocol::kAes);
  static const UsmKeys des = make(PrivProtocol::kDes);
  return priv == PrivProtocol::kDes ? des : aes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> packet(data, data + size);
  std::string error;
  const int version = peek_version(packet);
  V2cMessage v2c;
  if (decode_v2c(packet, v2c, error)) {
    if (version != 0 && version != 1) std::abort();
    std::vector<Oid> oids;
    for (const auto& vb : v2c.pdu.varbinds) {
      if (vb.oid.size() < 2) std::abort();
      oids.push_back(vb.oid);
    }
    PduRequest request;
    request.request_id = v2c.pdu.request_id;
    request.oids = oids;
    // Every decoded OID encodes again (decode accepts nothing the encoder cannot write).
    if (encode_v2c(v2c.community, request).empty()) std::abort();
    // Every decoded value encodes again, and decodes to itself.
    request.type = kPduSet;
    request.varbinds = v2c.pdu.varbinds;
    const auto set = encode_v2c(v2c.community, request);
    V2cMessage back;
    std::string back_error;
    if (set.empty() || !decode_v2c(set, back, back_error)) std::abort();
    if (back.pdu.varbinds != v2c.pdu.varbinds) std::abort();
  } else if (error.empty()) {
    std::abort();
  }
  error.clear();
  V3Message v3;
  if (decode_v3(packet, v3, error)) {
    if (version != 3) std::abort();
    if (v3.auth_offset + v3.auth_length > packet.size()) std::abort();
    const auto before = packet;
    for (auto priv : {PrivProtocol::kAes, PrivProtocol::kDes}) {
      verify_digest(keys(priv), packet, v3);
      if (packet != before) std::abort();  // the digest check restores the bytes it zeroes
      Pdu pdu;
      if (v3.encrypted) {
        Bytes plain;
        if (decrypt(keys(priv), v3, plain)) decode_scoped_pdu(plain, pdu, error);
      } else {
        decode_scoped_pdu(v3.data, pdu, error);
      }
    }
  } else if (error.empty()) {
    std::abort();
  }
  return 0;
}
