// Fuzz target for the trap receiver's parsers of outside bytes: the v1/v2c decoder (the SNMP
// library's, through manager/traps/detail/trap_decoder.h), the event built from what it accepts,
// and SNMPv3 messages through net-snmp's USM path (detail/usm_engine.h) with one configured user.
// Any bytes must be decoded or refused without crashing; an accepted inform's answer differs from
// it in one byte; an accepted notification's event has a varbinds_json that parses as an array with
// one item per varbind, every value a hex string ("encoding": "hex") or a string that is valid
// UTF-8, and a summary that is valid UTF-8 (nlohmann's strict parser and dump() judge, not ours).
// The corpus has strings of every ill-formed UTF-8 class (*_utf8_*.bin).

#include <sys/socket.h>

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <nlohmann/json.hpp>

#include "manager/snmp/message.h"
#include "manager/traps/detail/trap_decoder.h"
#include "manager/traps/detail/usm_engine.h"

namespace {

using namespace netpower::manager::traps;

detail::UsmEngine& engine() {
  static detail::UsmEngine* instance = [] {
    TrapSettings settings;
    settings.engine_id = "8000000001020304";  // the engine of the corpus's v3 trap
    TrapUser user;
    user.usm.user = "np-trap";
    user.usm.auth_key = netpower::manager::config::Secret("np-auth-secret", "fuzz");
    user.usm.priv_key = netpower::manager::config::Secret("np-priv-secret", "fuzz");
    settings.users.push_back(user);
    // Boots 1, time from the start: the corpus's v3 trap (sent with -Z 1,0) is in the time window
    // for the first 150 s of a run.
    const detail::EngineIdentity identity{*detail::parse_engine_id(settings.engine_id), 1};
    return new detail::UsmEngine(settings, identity, [](auto, auto, auto) {});
  }();
  return *instance;
}

// The stored event must be valid: see the file comment.
void check_event(const DecodedTrap& trap) {
  const auto event = to_event(trap);
  if (!nlohmann::json::accept(event.varbinds_json)) std::abort();
  const auto json = nlohmann::json::parse(event.varbinds_json);
  if (!json.is_array() || json.size() != trap.varbinds.size()) std::abort();
  try {
    (void)nlohmann::json(event.text).dump();  // throws on invalid UTF-8
  } catch (const nlohmann::json::exception&) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> packet(data, size);
  const int version = netpower::manager::snmp::peek_version(packet);
  auto message = detail::decode_v1v2c(packet);
  if (message.status == detail::V1V2cMessage::Status::kOk) {
    if (version != 0 && version != 1) std::abort();
    auto response = detail::inform_response(packet, message);
    if (!response.empty()) {
      if (response.size() != size) std::abort();
      std::size_t differences = 0;
      for (std::size_t i = 0; i < size; ++i) differences += response[i] != data[i];
      if (differences != 1) std::abort();
    }
    message.trap.agent = message.trap.source_address = "192.0.2.1";
    check_event(message.trap);
  } else if (message.status == detail::V1V2cMessage::Status::kV3) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_port = htons(40000);
    from.sin_addr.s_addr = htonl(0xC0000201);
    DecodedTrap trap;
    auto result =
        engine().process(packet, reinterpret_cast<const sockaddr*>(&from), sizeof from, trap);
    if (result.outcome == detail::UsmEngine::Outcome::kTrap) {
      trap.agent = trap.source_address = "192.0.2.1";
      check_event(trap);
    }
  }
  return 0;
}
