#include "collectors/nut/nut_results.h"

#include <algorithm>

#include "collectors/nut/nut_settings.h"

namespace netpower::collectors::nut {

namespace {

struct Meaning {
  const char* code;
  UpsCommandStatus status;
  const char* text;  // after the command's name
};

// LIST VAR.
const struct {
  const char* code;
  const char* text;
} kPollErrors[] = {
    {"DATA-STALE", ": the driver has lost contact with the UPS"},
    {"DRIVER-NOT-CONNECTED", ": the UPS driver is not running"},
    {"UNKNOWN-UPS", ": no such UPS in upsd's ups.conf"},
    {"ACCESS-DENIED", ": this host may not read the UPS"},
};

// INSTCMD; CMD-NOT-SUPPORTED and ACCESS-DENIED have texts of their own below.
const Meaning kInstcmdErrors[] = {
    {"USERNAME-REQUIRED", UpsCommandStatus::kFailed,
     " refused: upsd needs a username and password for instant commands; set username and a "
     "password in the nut settings"},
    {"PASSWORD-REQUIRED", UpsCommandStatus::kFailed,
     " refused: upsd needs a username and password for instant commands; set username and a "
     "password in the nut settings"},
    {"DRIVER-NOT-CONNECTED", UpsCommandStatus::kNoResponse,
     " not delivered: upsd cannot reach the UPS driver"},
    {"DATA-STALE", UpsCommandStatus::kNoResponse,
     " not delivered: upsd cannot reach the UPS driver"},
    {"INVALID-ARGUMENT", UpsCommandStatus::kInvalid, ": invalid argument"},
    {"INSTCMD-FAILED", UpsCommandStatus::kFailed,
     ": upsd could not pass the command to the driver"},
};

// GET TRACKING.
const Meaning kTrackingErrors[] = {
    {"INVALID-ARGUMENT", UpsCommandStatus::kInvalid, ": the driver rejected the argument"},
    {"UNKNOWN", UpsCommandStatus::kFailed,
     ": the driver did not carry it out (it does not handle the command, or failed for an "
     "unknown reason)"},
};

template <std::size_t N>
const Meaning* find(const Meaning (&table)[N], const std::string& code) {
  for (const auto& m : table) {
    if (code == m.code) return &m;
  }
  return nullptr;
}

bool valid_command_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace

std::optional<UpsCommandResult> check_command(const UpsCommand& command) {
  if (!valid_command_name(command.name)) {
    return UpsCommandResult{UpsCommandStatus::kInvalid,
                            "'" + printable(command.name, 64) + "' is not an instant command name"};
  }
  if (command.delay && command.delay->count() != 0) {
    return UpsCommandResult{
        UpsCommandStatus::kInvalid,
        command.name + ": the nut driver takes no delay (max_command_delay is 0)"};
  }
  if (command.restart_after || command.duration) {
    return UpsCommandResult{
        UpsCommandStatus::kInvalid,
        command.name + ": NUT instant commands take no restart time or test length"};
  }
  return std::nullopt;
}

std::string describe_poll_error(const NutError& error) {
  std::string text = "upsd answered " + printable(error.code, 40);
  for (const auto& e : kPollErrors) {
    if (error.code == e.code) return text + e.text;
  }
  return text;
}

UpsCommandResult instcmd_error(const NutError& error, const std::string& command,
                               const std::string& ups, const std::string& username) {
  const auto& code = error.code;
  const auto upsd = " (upsd: " + printable(code, 40) + ")";
  if (code == "CMD-NOT-SUPPORTED") {
    return {UpsCommandStatus::kUnsupported,
            "UPS '" + ups + "' has no instant command " + command + upsd};
  }
  if (code == "ACCESS-DENIED") {
    std::string who = username.empty()
                          ? "no username is configured"
                          : "wrong password, or user '" + username +
                                "' lacks 'instcmds = " + command + "' (or ALL) in upsd.users";
    return {UpsCommandStatus::kFailed, command + " denied: " + who + upsd};
  }
  if (const auto* m = find(kInstcmdErrors, code)) return {m->status, command + m->text + upsd};
  return {UpsCommandStatus::kFailed, command + " refused" + upsd};
}

UpsCommandResult tracking_error(const NutError& error, const std::string& command) {
  const auto tracked = " (TRACKING: ERR " + printable(error.code, 40) + ")";
  if (const auto* m = find(kTrackingErrors, error.code)) {
    return {m->status, command + m->text + tracked};
  }
  return {UpsCommandStatus::kFailed, command + ": the driver reports failure" + tracked};
}

}  // namespace netpower::collectors::nut
