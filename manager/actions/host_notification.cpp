#include "manager/actions/host_notification.h"

#include "manager/mib/oids.h"

namespace netpower::manager::actions {

namespace {

using snmp::ValueType;

// The octets of `oid` into `out`; false when present with another type or too long.
bool octets(const traps::DecodedTrap& trap, const snmp::Oid& oid, std::size_t max,
            std::string& out) {
  const auto* vb = trap.find(oid);
  if (vb == nullptr) return true;
  if (vb->type != ValueType::kOctetString || vb->octets.size() > max) return false;
  out = vb->octets;
  return true;
}

}  // namespace

const char* to_string(HostNotification::Kind kind) {
  switch (kind) {
    case HostNotification::Kind::kHello:
      return "hello";
    case HostNotification::Kind::kHeartbeat:
      return "heartbeat";
    case HostNotification::Kind::kAnswer:
      return "answer";
  }
  return "?";
}

NotificationParse parse_host_notification(const traps::DecodedTrap& trap, core::TimePoint received,
                                          HostNotification& out) {
  const auto oid = snmp::parse_oid(trap.trap_oid);
  if (!oid) return NotificationParse::kNotHost;
  if (*oid == mib::kNetpowerHostHello) {
    out.kind = HostNotification::Kind::kHello;
  } else if (*oid == mib::kNetpowerHostHeartbeat) {
    out.kind = HostNotification::Kind::kHeartbeat;
  } else if (*oid == mib::kNetpowerTickleAnswer) {
    out.kind = HostNotification::Kind::kAnswer;
  } else {
    return NotificationParse::kNotHost;
  }
  out.user = trap.user;
  out.address = trap.source_address;
  out.received = received;
  out.received_wall = trap.received;
  if (!octets(trap, mib::kNetpowerHostId0, kMaxHostIdLength, out.host_id) ||
      !octets(trap, mib::kNetpowerHostName0, kMaxHostNameLength, out.hostname) ||
      !octets(trap, mib::kNetpowerHostBootId0, kMaxBootIdLength, out.boot_id)) {
    return NotificationParse::kMalformed;
  }
  if (out.host_id.empty()) return NotificationParse::kMalformed;
  if (const auto* seq = trap.find(mib::kNetpowerHostSequence0)) {
    if (seq->type != ValueType::kGauge32 && seq->type != ValueType::kCounter32 &&
        seq->type != ValueType::kInteger) {
      return NotificationParse::kMalformed;
    }
    out.sequence =
        static_cast<std::uint32_t>(seq->type == ValueType::kInteger ? seq->integer : seq->number);
  }
  if (out.kind == HostNotification::Kind::kAnswer) {
    const auto* nonce = trap.find(mib::kNetpowerHostNonce0);
    if (nonce == nullptr || nonce->type != ValueType::kOctetString || nonce->octets.size() != 8) {
      return NotificationParse::kMalformed;
    }
    std::uint64_t n = 0;
    for (unsigned char c : nonce->octets) n = (n << 8) | c;
    out.nonce = n;
  }
  return NotificationParse::kParsed;
}

}  // namespace netpower::manager::actions
