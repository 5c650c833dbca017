#pragma once
// The receiver's SNMPv3 engine identity (RFC 3414 2.2): snmpEngineID, stable across restarts, and
// snmpEngineBoots, one more at every start. Kept in a small state file (traps.engine_file), as
// snmptrapd keeps `oldEngineID` and `engineBoots` in its persistent store:
//
//   # netpower-manager: the trap receiver's SNMPv3 engine (docs/traps.md). Written at every start.
//   engine_id 80001f8880...
//   engine_boots 7
//
// The ID is the configured one (traps.engine_id), else the one in the file, else a new random one
// (net-snmp's format: enterprise 8072, format 128, 12 random bytes), written back at once. Boots
// continue from the file when the ID is the same, and start at 1 when it changed (RFC 3414 2.2.2).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netpower::manager::traps::detail {

inline constexpr std::uint32_t kMaxEngineBoots = 2147483647;  // then it stays (RFC 3414 2.2.2)

struct EngineIdentity {
  std::vector<std::uint8_t> id;  // 5..32 bytes
  std::uint32_t boots = 1;       // 1..kMaxEngineBoots
  bool operator==(const EngineIdentity&) const = default;
};

// "80001f88..." (lower case) and back; nullopt unless 5..32 bytes of hex digits.
std::string engine_id_hex(std::span<const std::uint8_t> id);
std::optional<std::vector<std::uint8_t>> parse_engine_id(std::string_view hex);

// The file's text, and back. Parsing fails with "line <n>: <reason>" for anything but comments,
// blank lines, and exactly one engine_id and one engine_boots line.
std::string format_engine_state(const EngineIdentity& identity);
std::optional<EngineIdentity> parse_engine_state(std::string_view text, std::string& error);

// What this start uses: pure, for the tests. `configured` is traps.engine_id (empty: none),
// `stored` what the file held, `random` the bytes of a new ID if one is needed.
EngineIdentity next_engine_identity(std::string_view configured,
                                    const std::optional<EngineIdentity>& stored,
                                    std::span<const std::uint8_t, 12> random);

// Reads `file` (absent: a first start), decides the identity, and writes it back atomically (mode
// 0600, its directory created 0700 if missing) before any message is answered, so that a crash
// still counts as a boot. Throws std::runtime_error naming the file: unreadable, damaged (the
// message says how to start a new engine) or not writable.
EngineIdentity load_engine_identity(std::string_view configured, const std::filesystem::path& file);

}  // namespace netpower::manager::traps::detail
