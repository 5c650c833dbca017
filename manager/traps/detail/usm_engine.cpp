#include "manager/traps/detail/usm_engine.h"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmpusm.h>
// clang-format on

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "manager/snmp/message.h"
#include "manager/traps/detail/netsnmp_log.h"
#include "manager/traps/detail/trap_decoder.h"

namespace netpower::manager::traps::detail {

// net-snmp drives our transport through C callbacks; the datagram being processed and what the
// callbacks found live here. Only touched under UsmEngine::mutex_.
struct UsmEngine::State {
  Send send;
  int fd = -1;  // a descriptor net-snmp's read path selects on; never read
  netsnmp_transport* transport = nullptr;
  void* session = nullptr;  // snmp_sess_add's handle
  std::string engine_id_hex;
  std::uint32_t engine_boots = 0;
  std::vector<usmUser*> users;  // ours, removed again with the engine
  std::vector<std::string> user_names;
  // The current datagram.
  std::span<const std::uint8_t> packet;
  const sockaddr* from = nullptr;
  socklen_t from_len = 0;
  bool delivered = false;  // net-snmp handed the datagram to recv
  // Set by the session callback.
  bool got_pdu = false;
  bool answered = false;
  int pdu_errno = 0;
  DecodedTrap* trap = nullptr;
  std::string error;
};

namespace {

std::atomic<bool> g_engine_exists{false};

UsmEngine::State* state_of(netsnmp_transport* t) { return static_cast<UsmEngine::State*>(t->data); }

int transport_recv(netsnmp_transport* t, void* buf, int size, void** opaque, int* opaque_len) {
  auto* s = state_of(t);
  if (s->delivered || s->packet.size() > static_cast<std::size_t>(size)) return -1;
  s->delivered = true;
  std::memcpy(buf, s->packet.data(), s->packet.size());
  // net-snmp frees the opaque (the PDU's transport_data) with free().
  auto* addr = static_cast<sockaddr_storage*>(std::calloc(1, sizeof(sockaddr_storage)));
  if (addr == nullptr) return -1;
  std::memcpy(addr, s->from, s->from_len);
  *opaque = addr;
  *opaque_len = static_cast<int>(s->from_len);
  return static_cast<int>(s->packet.size());
}

int transport_send(netsnmp_transport* t, const void* buf, int size, void** opaque,
                   int* opaque_len) {
  auto* s = state_of(t);
  if (opaque == nullptr || *opaque == nullptr || opaque_len == nullptr || *opaque_len <= 0) {
    return -1;
  }
  s->send(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(buf),
                                        static_cast<std::size_t>(size)),
          static_cast<const sockaddr*>(*opaque), static_cast<socklen_t>(*opaque_len));
  return size;
}

int transport_close(netsnmp_transport* t) {
  t->sock = -1;  // the descriptor is the engine's own
  return 0;
}

char* transport_fmtaddr(netsnmp_transport*, const void*, int) { return strdup("netpower-traps"); }

bool to_varbind(const netsnmp_variable_list* v, Varbind& out) {
  // net-snmp's oid is an unsigned long holding 32-bit arcs (it refuses larger ones).
  out.oid.assign(v->name, v->name + v->name_length);
  switch (v->type) {
    case ASN_INTEGER:
      out.type = ValueType::kInteger;
      out.integer = *v->val.integer;
      return true;
    case ASN_OCTET_STR:
    case ASN_OPAQUE:
      out.type = v->type == ASN_OPAQUE ? ValueType::kOpaque : ValueType::kOctetString;
      out.octets.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
      return true;
    case ASN_NULL:
      out.type = ValueType::kNull;
      return true;
    case ASN_OBJECT_ID:
      out.type = ValueType::kOid;
      out.octets.clear();
      for (std::size_t i = 0; i < v->val_len / sizeof(oid); ++i) {
        if (i > 0) out.octets.push_back('.');
        out.octets += std::to_string(v->val.objid[i]);
      }
      return true;
    case ASN_IPADDRESS: {
      out.type = ValueType::kIpAddress;
      if (v->val_len != 4) return false;
      const auto* b = v->val.string;
      out.octets = std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) +
                   "." + std::to_string(b[3]);
      return true;
    }
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
      out.type = v->type == ASN_COUNTER ? ValueType::kCounter32
                 : v->type == ASN_GAUGE ? ValueType::kGauge32
                                        : ValueType::kTimeTicks;
      out.number = static_cast<std::uint32_t>(*v->val.integer);
      return true;
    case ASN_COUNTER64:
      out.type = ValueType::kCounter64;
      out.number =
          (static_cast<std::uint64_t>(v->val.counter64->high) << 32) | v->val.counter64->low;
      return true;
    case SNMP_NOSUCHOBJECT:
      out.type = ValueType::kNoSuchObject;
      return true;
    case SNMP_NOSUCHINSTANCE:
      out.type = ValueType::kNoSuchInstance;
      return true;
    case SNMP_ENDOFMIBVIEW:
      out.type = ValueType::kEndOfMibView;
      return true;
    default:
      return false;
  }
}

// The session callback: every PDU net-snmp parsed, including (with s_snmp_errno set) the ones
// that failed authentication.
int on_pdu(int operation, netsnmp_session* session, int, netsnmp_pdu* pdu, void* magic) {
  auto* s = static_cast<UsmEngine::State*>(magic);
  if (operation != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) return 1;
  s->got_pdu = true;
  if (session->s_snmp_errno != 0) {
    s->pdu_errno = session->s_snmp_errno;
    return 1;
  }
  if (pdu->command != SNMP_MSG_INFORM && pdu->command != SNMP_MSG_TRAP2) {
    s->error = std::string("not a notification: ") + snmp_pdu_type(pdu->command);
    return 1;
  }
  std::vector<Varbind> all;
  for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
    Varbind vb;
    if (!to_varbind(v, vb)) {
      s->error = "unsupported varbind type";
      return 1;
    }
    all.push_back(std::move(vb));
  }
  if (all.size() < 2 || all[0].oid != kSysUpTime0 || all[0].type != ValueType::kTimeTicks ||
      all[1].oid != kSnmpTrapOid0 || all[1].type != ValueType::kOid) {
    s->error = "the first varbinds are not sysUpTime.0 and snmpTrapOID.0";
    return 1;
  }
  auto& t = *s->trap;
  t.version = TrapVersion::kV3;
  t.kind = pdu->command == SNMP_MSG_INFORM ? NotificationKind::kInform : NotificationKind::kTrapV2;
  t.user.assign(pdu->securityName != nullptr ? pdu->securityName : "", pdu->securityNameLen);
  t.request_id = static_cast<std::int32_t>(pdu->reqid);
  t.uptime = static_cast<std::uint32_t>(all[0].number);
  t.trap_oid = all[1].octets;
  t.varbinds.assign(std::make_move_iterator(all.begin() + 2), std::make_move_iterator(all.end()));
  if (pdu->command == SNMP_MSG_INFORM) {
    // RFC 3416 4.2.7: a Response with the same request-id and varbinds, error fields zero; net-snmp
    // builds it with the inform's security parameters (user, level, our engine ID).
    netsnmp_pdu* reply = snmp_clone_pdu(pdu);
    if (reply != nullptr) {
      reply->command = SNMP_MSG_RESPONSE;
      reply->errstat = 0;
      reply->errindex = 0;
      if (snmp_sess_send(s->session, reply) == 0) {
        snmp_free_pdu(reply);
      } else {
        s->answered = true;
      }
    }
  }
  return 1;
}

std::string hex_of(const u_char* bytes, std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

// A pass phrase as one quoted token of a net-snmp configuration line.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Our engine ID and boots, as net-snmp's init_snmpv3_post_config() would have set them from its
// persistent store (snmplib/snmpv3.c): the ID, snmpEngineBoots, and the entry of our own engine in
// USM's time cache (LCD). Without that entry USM answers every message to our ID with "unknown
// engine ID", and its Reports carry boots and time 0/0.
void set_local_engine(const EngineIdentity& identity) {
  if (set_exact_engineID(identity.id.data(), identity.id.size()) != SNMPERR_SUCCESS) {
    throw std::runtime_error("traps: net-snmp refused the engine ID " + engine_id_hex(identity.id));
  }
  // engineBoots_conf() is the handler of snmptrapd's persistent "engineBoots N" line: boots = N
  // + 1.
  std::string previous = std::to_string(identity.boots - 1);
  engineBoots_conf("engineBoots", previous.data());
  if (snmpv3_local_snmpEngineBoots() != identity.boots) {
    throw std::runtime_error("traps: net-snmp did not take the engine boots " +
                             std::to_string(identity.boots));
  }
  set_enginetime(identity.id.data(), static_cast<u_int>(identity.id.size()),
                 static_cast<u_int>(snmpv3_local_snmpEngineBoots()),
                 static_cast<u_int>(snmpv3_local_snmpEngineTime()), TRUE);
}

// AES (CFB) decrypts with any key: a wrong privacy key gives bytes that do not parse as a
// ScopedPDU, which net-snmp counts as an ASN.1 parse error, not as usmStatsDecryptionErrors (only
// DES's padding check can tell). When USM let the message through (no usmStats counter moved, and
// the caller checked that) and it is an encrypted message of one of our users, it was
// authenticated with that user's key: what failed is the privacy key, not the sender's encoding.
bool wrong_privacy_key(const UsmEngine::State& s, std::span<const std::uint8_t> packet) {
  snmp::V3Message message;
  std::string error;
  if (!snmp::decode_v3(packet, message, error) || !message.encrypted ||
      (message.flags & snmp::kFlagAuth) == 0) {
    return false;
  }
  for (const auto& name : s.user_names) {
    if (name == message.user) return true;
  }
  return false;
}

// What an engine holds in net-snmp: undone by the destructor, or when the constructor fails.
void release(UsmEngine::State& s) {
  if (s.transport != nullptr) s.transport->data = nullptr;
  if (s.session != nullptr) snmp_sess_close(s.session);
  if (s.fd >= 0) ::close(s.fd);
  // A later engine in this process (tests) must not find this one's users.
  for (auto* user : s.users) {
    usm_remove_user(user);
    usm_free_user(user);
  }
  s.users.clear();
  g_engine_exists.store(false);
}

}  // namespace

UsmEngine::UsmEngine(const TrapSettings& settings, const EngineIdentity& identity, Send send)
    : state_(std::make_unique<State>()) {
  if (g_engine_exists.exchange(true)) {
    throw std::runtime_error("traps: only one SNMPv3 engine per process");
  }
  state_->send = std::move(send);
  try {
    set_up(settings, identity);
  } catch (...) {
    release(*state_);
    throw;
  }
}

void UsmEngine::set_up(const TrapSettings& settings, const EngineIdentity& identity) {
  // No snmp.conf, no persistent files: the configuration is manager.yaml, and the engine's state
  // file is ours.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
  // net-snmp's messages through our log and its rate limit, before it has anything to say.
  route_netsnmp_logging();
  // Notifications are decoded to numeric OIDs; the host's MIB files would only cost time and noise.
  ::setenv("MIBS", "", 1);
  // Before init_snmp too: with an ID set, net-snmp does not derive one from the host name.
  if (set_exact_engineID(identity.id.data(), identity.id.size()) != SNMPERR_SUCCESS) {
    throw std::runtime_error("traps: net-snmp refused the engine ID " + engine_id_hex(identity.id));
  }
  init_snmp("netpower-traps");  // once per process: later calls return at once
  set_local_engine(identity);
  u_char id[SNMP_MAXBUF_SMALL];
  const auto id_len = snmpv3_get_engineID(id, sizeof id);
  state_->engine_id_hex = hex_of(id, id_len);
  state_->engine_boots = identity.boots;

  for (const auto& user : settings.users) {
    const auto& u = user.usm;
    // createUser <name> [auth-proto auth-pass [priv-proto priv-pass]], localized to our engine.
    std::string line = quoted(u.user);
    if (u.level != config::SecurityLevel::kNoAuthNoPriv) {
      line +=
          std::string(" ") + config::to_string(u.auth_protocol) + " " + quoted(u.auth_key.reveal());
      if (u.level == config::SecurityLevel::kAuthPriv) {
        line += std::string(" ") + config::to_string(u.priv_protocol) + " " +
                quoted(u.priv_key.reveal());
      }
    }
    std::vector<char> buffer(line.begin(), line.end());
    buffer.push_back('\0');
    usm_parse_create_usmUser("createUser", buffer.data());
    std::fill(buffer.begin(), buffer.end(), '\0');
    std::fill(line.begin(), line.end(), '\0');
    auto* added = usm_get_user(id, id_len, const_cast<char*>(u.user.c_str()));
    if (added == nullptr) {
      throw std::runtime_error("traps: net-snmp refused SNMPv3 user '" + u.user + "' (line " +
                               std::to_string(user.line) + ")");
    }
    state_->users.push_back(added);
    state_->user_names.push_back(u.user);
  }

  state_->fd = ::eventfd(0, EFD_CLOEXEC);
  if (state_->fd < 0) throw std::system_error(errno, std::generic_category(), "traps: eventfd");
  auto* t = static_cast<netsnmp_transport*>(std::calloc(1, sizeof(netsnmp_transport)));
  if (t == nullptr) throw std::bad_alloc();
  t->domain = netsnmpUDPDomain;
  t->domain_length = static_cast<int>(netsnmpUDPDomain_len);
  t->sock = state_->fd;
  t->msgMaxSize = 65507;
  t->f_recv = transport_recv;
  t->f_send = transport_send;
  t->f_close = transport_close;
  t->f_fmtaddr = transport_fmtaddr;

  netsnmp_session session;
  snmp_sess_init(&session);
  session.peername = nullptr;
  session.version = SNMP_DEFAULT_VERSION;
  session.callback = on_pdu;
  session.callback_magic = state_.get();
  session.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
  session.flags |= SNMP_FLAGS_DONT_PROBE;  // we are the authoritative engine: nothing to discover
  state_->session = snmp_sess_add(&session, t, nullptr, nullptr);  // frees t when it fails
  if (state_->session == nullptr) {
    throw std::runtime_error("traps: net-snmp could not open the SNMPv3 session");
  }
  // After snmp_sess_add: the transport's data pointer is ours (freed by nobody but us).
  state_->transport = t;
  t->data = state_.get();
  t->data_length = 0;
}

UsmEngine::~UsmEngine() { release(*state_); }

std::string UsmEngine::engine_id() const { return state_->engine_id_hex; }

std::uint32_t UsmEngine::engine_boots() const { return state_->engine_boots; }

UsmEngine::Result UsmEngine::process(std::span<const std::uint8_t> packet, const sockaddr* from,
                                     socklen_t from_len, DecodedTrap& trap) {
  std::lock_guard lock(mutex_);
  auto& s = *state_;
  s.packet = packet;
  s.from = from;
  s.from_len = from_len;
  s.delivered = false;
  s.got_pdu = false;
  s.answered = false;
  s.pdu_errno = 0;
  s.trap = &trap;
  s.error.clear();
  netsnmp_session* session = snmp_sess_session(s.session);
  session->s_snmp_errno = 0;

  // What went wrong is read from USM's own statistics (RFC 3414 usmStats*): net-snmp's session
  // error after a reportable failure is only a generic parse error.
  u_int before[STAT_USM_STATS_END + 1];
  for (int i = STAT_USM_STATS_START; i <= STAT_USM_STATS_END; ++i)
    before[i] = snmp_get_statistic(i);
  const u_int parse_errors_before = snmp_get_statistic(STAT_SNMPINASNPARSEERRS);
  netsnmp_large_fd_set fds;
  netsnmp_large_fd_set_init(&fds, s.fd + 1);
  netsnmp_large_fd_setfd(s.fd, &fds);
  snmp_sess_read2(s.session, &fds);
  netsnmp_large_fd_set_cleanup(&fds);
  auto counted = [&](int which) { return snmp_get_statistic(which) != before[which]; };
  const int err = s.pdu_errno != 0 ? s.pdu_errno : session->s_snmp_errno;
  s.trap = nullptr;

  Result result;
  if (s.got_pdu && err == 0 && s.error.empty()) {
    result.outcome = Outcome::kTrap;
    result.answered = s.answered;
    return result;
  }
  if (counted(STAT_USMSTATSUNKNOWNENGINEIDS) || counted(STAT_USMSTATSNOTINTIMEWINDOWS)) {
    // A sender learning our engine ID, boots and time (RFC 3414 4): answered with a Report.
    result.outcome = Outcome::kDiscovery;
    return result;
  }
  if (counted(STAT_USMSTATSUNKNOWNUSERNAMES)) {
    result.outcome = Outcome::kUnauthenticated;
    result.error = "unknown user";
  } else if (counted(STAT_USMSTATSWRONGDIGESTS)) {
    result.outcome = Outcome::kUnauthenticated;
    result.error = "wrong digest (authentication key)";
  } else if (counted(STAT_USMSTATSDECRYPTIONERRORS)) {
    result.outcome = Outcome::kUnauthenticated;
    result.error = "decryption error (privacy key)";
  } else if (counted(STAT_USMSTATSUNSUPPORTEDSECLEVELS)) {
    result.outcome = Outcome::kUnauthenticated;
    result.error = "security level not allowed for the user";
  } else if (snmp_get_statistic(STAT_SNMPINASNPARSEERRS) != parse_errors_before &&
             wrong_privacy_key(s, packet)) {
    result.outcome = Outcome::kUnauthenticated;
    result.error = "decryption error (privacy key)";
  } else {
    result.outcome = Outcome::kMalformed;
    result.error = !s.error.empty() ? s.error
                   : err != 0       ? std::string(snmp_api_errstring(err))
                                    : "not processed";
  }
  return result;
}

}  // namespace netpower::manager::traps::detail
