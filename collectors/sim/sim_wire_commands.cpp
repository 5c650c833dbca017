#include "collectors/sim/sim_wire_commands.h"

#include <charconv>
#include <cmath>

#include "collectors/sim/control_words.h"
#include "core/duration.h"

namespace netpower::collectors::sim {

namespace {

constexpr int kMaxGlitches = 1000;
constexpr double kMaxDelayMs = 60000;

std::optional<core::PortId> port_in(const SimChain& chain, std::string_view word,
                                    std::string& why) {
  auto port = core::PortId::parse(word);
  if (!port) {
    why = error(quote(word) + " is not a port name (A1..Z4)");
  } else if (!chain.contains(*port)) {
    why = error("port " + port->str() + " is not in this chain");
    port.reset();
  }
  return port;
}

std::string usage(const char* form) { return error(std::string("usage: ") + form); }

std::string do_tickle(SimChain& chain, const std::vector<std::string_view>& w) {
  if (w.size() != 3 && w.size() != 4) return usage("tickle PORT NONCE [BIT_TIME]");
  std::string why;
  auto port = port_in(chain, w[1], why);
  if (!port) return why;
  std::uint64_t nonce = 0;
  auto text = w[2];
  if (text.size() > 2 && (text.substr(0, 2) == "0x" || text.substr(0, 2) == "0X")) {
    text.remove_prefix(2);
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nonce, 16);
  if (text.empty() || text.size() > 16 || ec != std::errc() || end != text.data() + text.size()) {
    return error("a nonce is 1..16 hex digits, not " + quote(w[2]));
  }
  core::Duration bit_time = core::kDefaultTickleBitTime;
  if (w.size() == 4) {
    auto parsed = core::parse_duration(w[3]);
    if (!parsed || *parsed < core::kMinTickleBitTime || *parsed > core::kMaxTickleBitTime) {
      return error("a bit time is a duration from 1ms to 10s, not " + quote(w[3]));
    }
    bit_time = *parsed;
  }
  auto result = chain.tickle(*port, core::encode_tickle(nonce, bit_time));
  return result.ok() ? "ok" : error(result.detail);
}

}  // namespace

std::optional<std::string> execute_wire_command(SimChain& chain,
                                                const std::vector<std::string_view>& w) {
  if (w.empty()) return std::nullopt;
  const auto& command = w[0];
  std::string why;
  if (command == "wire") {
    if (w.size() != 3) return usage("wire PORT ENDPOINT|none");
    auto port = port_in(chain, w[1], why);
    if (!port) return why;
    if (w[2] == "none") {
      chain.set_cable_endpoint(*port, "");
      return "ok";
    }
    if (!valid_wire_endpoint(w[2])) return error(quote(w[2]) + " is not a socket path or @name");
    chain.set_cable_endpoint(*port, std::string(w[2]));
    return "ok";
  }
  if (command == "swap") {
    if (w.size() != 3) return usage("swap PORT PORT");
    auto a = port_in(chain, w[1], why);
    if (!a) return why;
    auto b = port_in(chain, w[2], why);
    if (!b) return why;
    chain.swap_cables(*a, *b);
    return "ok";
  }
  if (command == "cut" || command == "mend") {
    if (w.size() != 2) return usage(command == "cut" ? "cut PORT" : "mend PORT");
    auto port = port_in(chain, w[1], why);
    if (!port) return why;
    chain.set_cable_cut(*port, command == "cut");
    return "ok";
  }
  if (command == "noise") {
    if (w.size() != 3) return usage("noise PORT GLITCHES");
    auto port = port_in(chain, w[1], why);
    if (!port) return why;
    auto n = number_of(w[2], "glitches", 0, kMaxGlitches, why);
    if (!n) return why;
    if (*n != std::floor(*n)) return error("glitches must be a whole number");
    chain.set_cable_noise(*port, static_cast<int>(*n));
    return "ok";
  }
  if (command == "delay") {
    if (w.size() != 3) return usage("delay PORT MS");
    auto port = port_in(chain, w[1], why);
    if (!port) return why;
    auto ms = number_of(w[2], "delay", 0, kMaxDelayMs, why);
    if (!ms) return why;
    chain.set_cable_delay(*port, std::chrono::duration_cast<core::Duration>(
                                     std::chrono::duration<double, std::milli>(*ms)));
    return "ok";
  }
  if (command == "tickle") return do_tickle(chain, w);
  return std::nullopt;
}

}  // namespace netpower::collectors::sim
