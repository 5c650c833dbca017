#pragma once
// The Sentry2-MIB chain group and the NETPOWER-MIB's port settings, varbind by varbind into a
// ChainReading. Pure functions, no I/O.

#include <optional>
#include <string_view>
#include <vector>

#include "manager/mib/readings.h"
#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// The Sentry2 DisplayString readings as numbers in base units: "2.50A" -> 2.5,
// "27.0 Deg C" -> 27.0, "-3.2 Deg C" -> -3.2, "Not On" -> 0; nullopt for "N/A" or anything else.
std::optional<double> parse_sentry2_number(std::string_view text);
// The same, only when the text carries `unit` ("A" or "Deg C"); "Not On" only for "A".
std::optional<double> parse_sentry2_quantity(std::string_view text, std::string_view unit);

// A fixed-size string index of `length` characters at oid[from..]: "A1" from .65.49; nullopt when
// the OID has other arcs or a character is not printable ASCII.
std::optional<std::string> fixed_index(const Oid& oid, std::size_t from, std::size_t length);

// The ids the MIB allows (Sentry2BoardId, Sentry2PortId): boards "A".."Z", ports "A1".."Z4".
std::optional<std::string> board_id(const Oid& oid, std::size_t from);
std::optional<std::string> port_id(const Oid& oid, std::size_t from);

// One Sentry2 chain-group varbind into `chain` (rows it names are added). Values of the wrong type
// (an exception, a number where a DisplayString belongs) are ignored.
Applied apply_sentry2(ChainReading& chain, const Varbind& vb, model::WallTime time);
// One NETPOWER-MIB port-setting varbind (group, locked) into `chain`.
Applied apply_netpower(ChainReading& chain, const Varbind& vb, model::WallTime time);

// A Sentry2 notification's varbinds into `chain` (the objects it carries update their rows at once,
// as a poll would; rows not yet polled are added). A port the notification says is switched off
// (relay off: "Off", "Reboot", "Pend On") has no load from then on, unless the notification
// carries the load itself: 0 A, "Not On", until the next poll says otherwise. Returns the varbinds
// rejected.
std::uint64_t apply_sentry2_notification(ChainReading& chain, const std::vector<Varbind>& varbinds,
                                         model::WallTime time);

// Whether the relay is on for a sentry2PortControlStatus: On, Shutdown (the host is being told;
// power is cut after the delay), Pend Off and Pend Reboot (held on by the minimum-on time) are on;
// Off, Reboot and Pend On are off; nullopt for a status we do not know.
std::optional<bool> relay_on(std::string_view control);

// The row of `rows` whose id is `id`, inserted in order when missing.
PortReading& port_row(ChainReading& chain, const std::string& id);
BoardReading& board_row(ChainReading& chain, const std::string& id);

}  // namespace netpower::manager::mib
