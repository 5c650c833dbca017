#include "tests/unit/manager/snmp/netsnmp_packets.h"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmp_impl.h>
// clang-format on

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace netpower::manager::snmp::testing {

void init_netsnmp() {
  static const bool done = [] {
    ::setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    init_snmp("netpower-poller-test");
    return true;
  }();
  (void)done;
}

std::vector<std::uint8_t> netsnmp_v2c(const std::string& community, int command,
                                      std::int32_t request_id, long errstat, long errindex,
                                      const std::vector<NetSnmpVarbind>& varbinds) {
  init_netsnmp();
  netsnmp_session session;
  snmp_sess_init(&session);
  session.version = SNMP_VERSION_2c;
  session.community = reinterpret_cast<u_char*>(const_cast<char*>(community.data()));
  session.community_len = community.size();
  netsnmp_pdu* pdu = snmp_pdu_create(command);
  pdu->version = SNMP_VERSION_2c;
  // snmp_build copies the session's community into every PDU but a Response.
  pdu->community = static_cast<u_char*>(std::malloc(community.size() + 1));
  std::memcpy(pdu->community, community.data(), community.size());
  pdu->community_len = community.size();
  pdu->reqid = request_id;
  pdu->errstat = errstat;
  pdu->errindex = errindex;
  for (const auto& vb : varbinds) {
    oid name[MAX_OID_LEN];
    size_t name_len = MAX_OID_LEN;
    if (read_objid(vb.oid.c_str(), name, &name_len) == 0) {
      throw std::runtime_error("net-snmp: bad OID " + vb.oid);
    }
    if (vb.type == 'n') {
      snmp_add_null_var(pdu, name, name_len);
    } else if (vb.type ==
               'X') {  // exceptions: value = noSuchObject / noSuchInstance / endOfMibView
      const u_char type = vb.value == "noSuchObject"     ? SNMP_NOSUCHOBJECT
                          : vb.value == "noSuchInstance" ? SNMP_NOSUCHINSTANCE
                                                         : SNMP_ENDOFMIBVIEW;
      snmp_pdu_add_variable(pdu, name, name_len, type, nullptr, 0);
    } else if (vb.type == 'C') {
      const unsigned long long v = std::strtoull(vb.value.c_str(), nullptr, 10);
      counter64 c{static_cast<u_long>(v >> 32), static_cast<u_long>(v & 0xffffffffu)};
      snmp_pdu_add_variable(pdu, name, name_len, ASN_COUNTER64, &c, sizeof c);
    } else if (vb.type == 'Q') {  // Opaque, raw bytes
      snmp_pdu_add_variable(pdu, name, name_len, ASN_OPAQUE, vb.value.data(), vb.value.size());
    } else if (snmp_add_var(pdu, name, name_len, vb.type, vb.value.c_str()) != 0) {
      throw std::runtime_error("net-snmp: bad value for " + vb.oid);
    }
  }
  size_t size = 65536;
  auto* buffer = static_cast<u_char*>(std::malloc(size));
  size_t offset = 0;
  const int rc = snmp_build(&buffer, &size, &offset, &session, pdu);
  snmp_free_pdu(pdu);
  if (rc != 0) {
    std::free(buffer);
    throw std::runtime_error(std::string("net-snmp: snmp_build failed: ") +
                             snmp_api_errstring(session.s_snmp_errno) + " / " +
                             snmp_api_errstring(snmp_errno));
  }
  // Reverse encoding (Debian's default): the message ends at the end of the buffer.
  std::vector<std::uint8_t> out(buffer + size - offset, buffer + size);
  std::free(buffer);
  return out;
}

std::vector<NetSnmpVarbind> sentry2_port_rows(int rows) {
  std::vector<NetSnmpVarbind> out;
  const char* const columns[] = {"3", "4", "5", "6"};
  const char* const values[] = {"web-server-07", "On", "Normal", "2.50A"};
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < rows; ++r) {
      const char board = static_cast<char>('A' + r / 4);
      const char port = static_cast<char>('1' + r % 4);
      out.push_back({"1.3.6.1.4.1.1718.2.1.4.1." + std::string(columns[c]) + "." +
                         std::to_string(int{board}) + "." + std::to_string(int{port}),
                     's', values[c]});
    }
  }
  return out;
}

int netsnmp_parse_v2c(const std::vector<std::uint8_t>& packet) {
  u_char community[256];
  size_t community_len = sizeof community;
  long version = 0;
  size_t length = packet.size();
  u_char* data = snmp_comstr_parse(const_cast<u_char*>(packet.data()), &length, community,
                                   &community_len, &version);
  if (data == nullptr) return -1;
  netsnmp_pdu* pdu = snmp_pdu_create(0);
  pdu->version = version;
  int count = -1;
  if (snmp_pdu_parse(pdu, data, &length) == 0) {
    count = 0;
    for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) ++count;
  }
  snmp_free_pdu(pdu);
  return count;
}

}  // namespace netpower::manager::snmp::testing
