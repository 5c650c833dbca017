#include "agent/snmp/tickle_mib.h"

#include <spdlog/spdlog.h>

#include "agent/snmp/netpower_oids.h"
#include "agent/snmp/sentry2_index.h"

namespace netpower::agent::snmp {

namespace {

// A DisplayString holds printable ASCII only; a collector's text may hold anything.
std::string display_string(const std::string& text) {
  std::string out = text.substr(0, kTickleErrorMax);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

int check_nonce(const ChainModel& model, core::PortId port, const SetRequest& r) {
  const auto& vb = r.varbind;
  if (vb.type != ASN_OCTET_STR) return SNMP_ERR_WRONGTYPE;
  if (vb.val_len != kTickleNonceOctets) return SNMP_ERR_WRONGLENGTH;
  if (model.tickle_busy(port)) {
    spdlog::info("tickle on .{} refused: the previous one is still sending", port.str());
    return SNMP_ERR_INCONSISTENTVALUE;
  }
  return SNMP_ERR_NOERROR;
}

int commit_nonce(ChainModel& model, core::PortId port, const SetRequest& r) {
  auto result = model.tickle(port, nonce_of_octets(r.varbind.val.string));
  switch (result.outcome) {
    case TickleResult::Outcome::kSending:
      return SNMP_ERR_NOERROR;
    case TickleResult::Outcome::kBusy:  // the same row twice in one request
      return SNMP_ERR_INCONSISTENTVALUE;
    case TickleResult::Outcome::kFailed:
      return SNMP_ERR_GENERR;
  }
  return SNMP_ERR_GENERR;
}

}  // namespace

std::string nonce_octets(std::uint64_t nonce) {
  std::string out(kTickleNonceOctets, '\0');
  for (std::size_t i = 0; i < kTickleNonceOctets; ++i) {
    out[kTickleNonceOctets - 1 - i] = static_cast<char>((nonce >> (8 * i)) & 0xff);
  }
  return out;
}

std::uint64_t nonce_of_octets(const unsigned char* octets) {
  std::uint64_t nonce = 0;
  for (std::size_t i = 0; i < kTickleNonceOctets; ++i) nonce = (nonce << 8) | octets[i];
  return nonce;
}

void add_tickle_columns(MibTree& tree) {
  for (oid column = kNpTickleNonce; column <= kNpTickleError; ++column) {
    tree.add_object(kNpTickleEntry + Oid{column}, column == kNpTickleNonce);
  }
}

void add_tickle_row(MibTree& tree, ChainModel& model, core::PortId port) {
  auto index = port_index(port);
  auto at = [&](oid column) { return kNpTickleEntry + Oid{column} + index; };
  auto* m = &model;
  tree.add({at(kNpTickleNonce),
            [m, port]() {
              auto nonce = m->tickle_state(port).nonce;
              return Value::string(nonce ? nonce_octets(*nonce) : std::string());
            },
            [m, port](const SetRequest& r) { return check_nonce(*m, port, r); },
            [m, port](const SetRequest& r) { return commit_nonce(*m, port, r); }});
  tree.add(
      {at(kNpTickleStatus),
       [m, port]() { return Value::integer32(static_cast<long>(m->tickle_state(port).status)); },
       {},
       {}});
  tree.add({at(kNpTickleSentTime),
            [m, port]() { return Value::timeticks(m->tickle_state(port).started_ticks); },
            {},
            {}});
  tree.add({at(kNpTickleBitTime),
            [m]() {
              auto us = std::chrono::duration_cast<std::chrono::microseconds>(m->tickle_bit_time());
              return Value::gauge32(static_cast<unsigned long>(us.count()));
            },
            {},
            {}});
  tree.add({at(kNpTickleError),
            [m, port]() { return Value::string(display_string(m->tickle_state(port).error)); },
            {},
            {}});
}

}  // namespace netpower::agent::snmp
