#pragma once
// What upsd's ERR answers mean to the agent, as tables: a failed LIST VAR in words, and a failed
// INSTCMD or GET TRACKING as a command status with the words for the log. Pure, no I/O.

#include <optional>
#include <string>

#include "collectors/nut/nut_protocol.h"
#include "collectors/ups.h"

namespace netpower::collectors::nut {

// Why `command` cannot go to upsd as INSTCMD, or nullopt when it can: a name NUT would not take,
// or a delay, restart time or test length (NUT has no standard argument for them; the agent
// counts delays itself since max_command_delay() is 0).
std::optional<UpsCommandResult> check_command(const UpsCommand& command);

// "upsd answered DATA-STALE: the driver has lost contact with the UPS".
std::string describe_poll_error(const NutError& error);

// INSTCMD `command` for `ups` answered `error`; `username` is the configured one ("" for none).
UpsCommandResult instcmd_error(const NutError& error, const std::string& command,
                               const std::string& ups, const std::string& username);

// GET TRACKING for `command` answered `error`.
UpsCommandResult tracking_error(const NutError& error, const std::string& command);

}  // namespace netpower::collectors::nut
