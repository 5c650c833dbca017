#include "host/notification.h"

namespace netpower::host {

namespace {

Notification make(Notification::Kind kind, const OidVector& trap_oid, const HostIdentity& identity,
                  std::uint32_t sequence, std::vector<NotificationVarbind> first = {}) {
  Notification n;
  n.kind = kind;
  n.trap_oid = trap_oid;
  n.varbinds = std::move(first);
  using Type = NotificationVarbind::Type;
  n.varbinds.push_back({kHostIdOid, Type::kOctets, identity.host_id, 0});
  n.varbinds.push_back({kHostNameOid, Type::kOctets, identity.hostname, 0});
  n.varbinds.push_back({kHostBootIdOid, Type::kOctets, identity.boot_id, 0});
  n.varbinds.push_back({kHostSequenceOid, Type::kUnsigned32, "", sequence});
  return n;
}

}  // namespace

const char* to_string(Notification::Kind kind) {
  switch (kind) {
    case Notification::Kind::kHello:
      return "hello";
    case Notification::Kind::kHeartbeat:
      return "heartbeat";
    case Notification::Kind::kTickleAnswer:
      return "tickle-answer";
  }
  return "unknown";
}

std::string nonce_octets(std::uint64_t nonce) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(nonce & 0xff);
    nonce >>= 8;
  }
  return out;
}

std::string nonce_hex(std::uint64_t nonce) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(nonce >> shift) & 0xf];
  return out;
}

Notification make_hello(const HostIdentity& identity, std::uint32_t sequence) {
  return make(Notification::Kind::kHello, kHostHelloOid, identity, sequence);
}

Notification make_heartbeat(const HostIdentity& identity, std::uint32_t sequence) {
  return make(Notification::Kind::kHeartbeat, kHostHeartbeatOid, identity, sequence);
}

Notification make_tickle_answer(const HostIdentity& identity, std::uint64_t nonce,
                                std::uint32_t sequence) {
  return make(Notification::Kind::kTickleAnswer, kTickleAnswerOid, identity, sequence,
              {{kHostNonceOid, NotificationVarbind::Type::kOctets, nonce_octets(nonce), 0}});
}

}  // namespace netpower::host
