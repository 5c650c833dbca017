#include "agent/snmp/notifier.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <spdlog/spdlog.h>

namespace netpower::agent::snmp {

namespace {
const Oid kSnmpTrapOid = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

void add(netsnmp_variable_list** list, const Oid& name, const Value& value) {
  switch (value.type) {
    case ASN_OCTET_STR:
      snmp_varlist_add_variable(list, name.data(), name.size(), ASN_OCTET_STR, value.octets.data(),
                                value.octets.size());
      break;
    case ASN_OBJECT_ID:
      snmp_varlist_add_variable(list, name.data(), name.size(), ASN_OBJECT_ID,
                                value.object_id.data(), value.object_id.size() * sizeof(oid));
      break;
    default: {
      long v = value.integer;
      snmp_varlist_add_variable(list, name.data(), name.size(), value.type, &v, sizeof v);
    }
  }
}
}  // namespace

void send_notification(const std::string& name, const Oid& trap, const Varbinds& varbinds) {
  netsnmp_variable_list* list = nullptr;
  snmp_varlist_add_variable(&list, kSnmpTrapOid.data(), kSnmpTrapOid.size(), ASN_OBJECT_ID,
                            trap.data(), trap.size() * sizeof(oid));
  for (const auto& [oid_, value] : varbinds) add(&list, oid_, value);
  send_v2trap(list);
  snmp_free_varbind(list);
  spdlog::info("notification {} sent ({} varbinds)", name, varbinds.size());
}

}  // namespace netpower::agent::snmp
