// Fuzz target for the poller's parsers of outside bytes (manager/poller/detail): the v2c message
// and PDU decoder, the SNMPv3 header and USM parameters, digest verification and decryption of a
// message that claims our engine, and the scoped PDU of what decrypts. Any bytes must be decoded
// or refused with an error, never read out of bounds; what decodes must re-encode as a request.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "manager/poller/detail/message.h"
#include "manager/poller/detail/usm.h"

namespace {

using namespace netpower::manager;
using namespace netpower::manager::poller;

const detail::UsmKeys& keys(config::PrivProtocol priv) {
  static const auto make = [](config::PrivProtocol p) {
    const std::vector<std::uint8_t> engine = {0x80, 0x00, 0x1f, 0x88, 0x04, 'n', 'p'};
    detail::UsmKeys k;
    k.user = "np-admin";
    k.priv_protocol = p;
    k.auth_key = detail::localize_key(
        k.auth_protocol, detail::password_to_key(k.auth_protocol, "np-auth-secret"), engine);
    k.priv_key = detail::privacy_key(
        k.auth_protocol, p,
        detail::localize_key(k.auth_protocol,
                             detail::password_to_key(k.auth_protocol, "np-priv-secret"), engine));
    return k;
  };
  static const detail::UsmKeys aes = make(config::PrivProtocol::kAes);
  static const detail::UsmKeys des = make(config::PrivProtocol::kDes);
  return priv == config::PrivProtocol::kDes ? des : aes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> packet(data, data + size);
  std::string error;
  const int version = detail::peek_version(packet);
  detail::V2cMessage v2c;
  if (detail::decode_v2c(packet, v2c, error)) {
    if (version != 0 && version != 1) std::abort();
    std::vector<Oid> oids;
    for (const auto& vb : v2c.pdu.varbinds) {
      if (vb.oid.size() < 2) std::abort();
      oids.push_back(vb.oid);
    }
    detail::PduRequest request;
    request.request_id = v2c.pdu.request_id;
    request.oids = oids;
    // Every decoded OID encodes again (decode accepts nothing the encoder cannot write).
    if (detail::encode_v2c(v2c.community, request).empty()) std::abort();
  } else if (error.empty()) {
    std::abort();
  }
  error.clear();
  detail::V3Message v3;
  if (detail::decode_v3(packet, v3, error)) {
    if (version != 3) std::abort();
    if (v3.auth_offset + v3.auth_length > packet.size()) std::abort();
    const auto before = packet;
    for (auto priv : {config::PrivProtocol::kAes, config::PrivProtocol::kDes}) {
      detail::verify_digest(keys(priv), packet, v3);
      if (packet != before) std::abort();  // the digest check restores the bytes it zeroes
      detail::Pdu pdu;
      if (v3.encrypted) {
        detail::Bytes plain;
        if (detail::decrypt(keys(priv), v3, plain)) detail::decode_scoped_pdu(plain, pdu, error);
      } else {
        detail::decode_scoped_pdu(v3.data, pdu, error);
      }
    }
  } else if (error.empty()) {
    std::abort();
  }
  return 0;
}
