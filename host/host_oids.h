#pragma once
// The NETPOWER-MIB notifications and objects that netpower-host sends (docs/tickle.md "The
// answer"), as mibs/NETPOWER-MIB.txt defines them: the notifications under netpowerMIB 0
// (netpowerNotifications), the objects as accessible-for-notify scalars under netpowerObjects 20
// (netpowerHostObjects). This header and the module change together.

#include <cstdint>
#include <vector>

namespace netpower::host {

using OidVector = std::vector<std::uint32_t>;

// enterprises.32473.1 = netpowerMIB (keep the arc in one place: here for the host).
inline const OidVector kNetpowerMib = {1, 3, 6, 1, 4, 1, 32473, 1};

inline OidVector netpower_oid(std::initializer_list<std::uint32_t> tail) {
  OidVector out = kNetpowerMib;
  out.insert(out.end(), tail);
  return out;
}

// Notifications: netpowerMIB.0.20 .. 0.22.
inline const OidVector kHostHelloOid = netpower_oid({0, 20});      // netpowerHostHello
inline const OidVector kHostHeartbeatOid = netpower_oid({0, 21});  // netpowerHostHeartbeat
inline const OidVector kTickleAnswerOid = netpower_oid({0, 22});   // netpowerTickleAnswer

// Varbinds (scalars, instance .0): netpowerObjects(1).netpowerHostObjects(20).n.0
inline const OidVector kHostNonceOid = netpower_oid({1, 20, 1, 0});     // OCTET STRING (SIZE(8))
inline const OidVector kHostIdOid = netpower_oid({1, 20, 2, 0});        // OCTET STRING (1..64)
inline const OidVector kHostNameOid = netpower_oid({1, 20, 3, 0});      // OCTET STRING (0..255)
inline const OidVector kHostBootIdOid = netpower_oid({1, 20, 4, 0});    // OCTET STRING (0..64)
inline const OidVector kHostSequenceOid = netpower_oid({1, 20, 5, 0});  // Unsigned32

}  // namespace netpower::host
