#include "manager/mib/oids.h"

namespace netpower::manager::mib {

Oid port_index(std::string_view port) {
  Oid out;
  for (char c : port) out.push_back(static_cast<unsigned char>(c));
  return out;
}

Oid sentry2_port_oid(Sentry2PortColumn column, std::string_view port) {
  Oid out = kSentry2PortEntry;
  out.push_back(column);
  for (auto arc : port_index(port)) out.push_back(arc);
  return out;
}

Oid netpower_port_oid(NetpowerPortColumn column, std::string_view port) {
  Oid out = kNetpowerPortEntry;
  out.push_back(column);
  for (auto arc : port_index(port)) out.push_back(arc);
  return out;
}

Oid netpower_tickle_oid(NetpowerTickleColumn column, std::string_view port) {
  Oid out = kNetpowerTickleEntry;
  out.push_back(column);
  for (auto arc : port_index(port)) out.push_back(arc);
  return out;
}

}  // namespace netpower::manager::mib
