#pragma once
// Known-good packets built by net-snmp's own encoder (snmp_build), for the codec's tests and the
// benchmark: what a real manager sends and what a real agent answers.

#include <cstdint>
#include <string>
#include <vector>

namespace netpower::manager::snmp::testing {

struct NetSnmpVarbind {
  std::string oid;  // numeric
  char type = 's';  // as snmp_add_var takes it: i u c t a o s x n C (Counter64) U (Opaque hex)...
  std::string value;
};

// Initialises net-snmp once (no configuration files, no MIBs).
void init_netsnmp();

// A v2c message built by snmp_build. `command` is SNMP_MSG_GETBULK, SNMP_MSG_RESPONSE, ...;
// for GETBULK `errstat`/`errindex` are non-repeaters and max-repetitions.
std::vector<std::uint8_t> netsnmp_v2c(const std::string& community, int command,
                                      std::int32_t request_id, long errstat, long errindex,
                                      const std::vector<NetSnmpVarbind>& varbinds);

// A Response of `rows` Sentry2 port rows (DeviceName, ControlStatus, ModuleStatus, DeviceLoad) as
// a GETBULK of the port table returns them: the decoding workload of the benchmark.
std::vector<NetSnmpVarbind> sentry2_port_rows(int rows);

// Parses a v2c message with net-snmp (snmp_comstr_parse + snmp_pdu_parse, what snmp_parse does);
// returns the number of varbinds, or -1.
int netsnmp_parse_v2c(const std::vector<std::uint8_t>& packet);

}  // namespace netpower::manager::snmp::testing
