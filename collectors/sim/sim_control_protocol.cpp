#include "collectors/sim/sim_control_protocol.h"

#include "collectors/sim/control_words.h"
#include "collectors/sim/sim_wire_commands.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace netpower::collectors::sim {

namespace {

using nlohmann::json;

constexpr const char* kHelp =
    "commands: state | history [PORT] | fault PORT no-response|on-sense|off-fail|none | "
    "fault BOARD no-response|none | load PORT AMPS | temperature BOARD CELSIUS|none | unplug | "
    "plug | switch PORT on|off | power-loss [BOARD] | help | ";

std::string chain_range(const SimChain& chain) {
  return "boards A.." + core::BoardId{chain.board_count() - 1}.str();
}

// A port of this chain, or an error reply in `why`.
std::optional<core::PortId> port_of(const SimChain& chain, std::string_view word,
                                    std::string& why) {
  auto port = core::PortId::parse(word);
  if (!port) {
    why = error(quote(word) + " is not a port name (A1..Z4)");
  } else if (!chain.contains(*port)) {
    why = error("port " + port->str() + " is not in this chain (" + chain_range(chain) + ")");
    port.reset();
  }
  return port;
}

std::optional<core::BoardId> board_of(const SimChain& chain, std::string_view word,
                                      std::string& why) {
  auto board = core::BoardId::parse(word);
  if (!board) {
    why = error(quote(word) + " is not a board name (A..Z)");
  } else if (!chain.contains(*board)) {
    why = error("board " + board->str() + " is not in this chain (" + chain_range(chain) + ")");
    board.reset();
  }
  return board;
}

std::string usage(const char* form) { return error(std::string("usage: ") + form); }

std::string do_history(const SimChain& chain, const std::vector<std::string_view>& w) {
  if (w.size() > 2) return usage("history [PORT]");
  std::optional<core::PortId> filter;
  if (w.size() == 2) {
    std::string why;
    filter = port_of(chain, w[1], why);
    if (!filter) return why;
  }
  return history_json(chain, filter);
}

std::string do_fault(SimChain& chain, const std::vector<std::string_view>& w) {
  constexpr const char* kUsage = "fault PORT|BOARD no-response|on-sense|off-fail|none";
  if (w.size() != 3) return usage(kUsage);
  std::string why;
  if (core::PortId::parse(w[1])) {
    auto port = port_of(chain, w[1], why);
    if (!port) return why;
    auto fault = parse_port_fault(w[2]);
    if (!fault) {
      return error("a port fault is no-response, on-sense, off-fail or none, not " + quote(w[2]));
    }
    chain.set_port_fault(*port, *fault);
    return "ok";
  }
  if (!core::BoardId::parse(w[1])) {
    return error(quote(w[1]) + " is neither a port (A1..Z4) nor a board (A..Z)");
  }
  auto board = board_of(chain, w[1], why);
  if (!board) return why;
  auto fault = parse_board_fault(w[2]);
  if (!fault) return error("a board fault is no-response or none, not " + quote(w[2]));
  chain.set_board_fault(*board, *fault);
  return "ok";
}

std::string do_load(SimChain& chain, const std::vector<std::string_view>& w) {
  if (w.size() != 3) return usage("load PORT AMPS");
  std::string why;
  auto port = port_of(chain, w[1], why);
  if (!port) return why;
  auto amps = number_of(w[2], "load", 0.0, kMaxApplianceAmps, why);
  if (!amps) return why;
  chain.set_appliance_load(*port, *amps);
  return "ok";
}

std::string do_temperature(SimChain& chain, const std::vector<std::string_view>& w) {
  if (w.size() != 3) return usage("temperature BOARD CELSIUS|none");
  std::string why;
  auto board = board_of(chain, w[1], why);
  if (!board) return why;
  std::optional<double> celsius;
  if (w[2] != "none") {
    celsius = number_of(w[2], "temperature", kMinTemperatureC, kMaxTemperatureC, why);
    if (!celsius) return why;
  }
  chain.set_temperature(*board, celsius);
  return "ok";
}

std::string do_switch(SimChain& chain, const std::vector<std::string_view>& w) {
  if (w.size() != 3) return usage("switch PORT on|off");
  std::string why;
  auto port = port_of(chain, w[1], why);
  if (!port) return why;
  if (w[2] != "on" && w[2] != "off") return error("switch takes on or off, not " + quote(w[2]));
  chain.press_button(*port, w[2] == "on");
  return "ok";
}

std::string no_arguments(const std::vector<std::string_view>& w) {
  return error(quote(w[0]) + " takes no arguments");
}

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

std::string state_json(const SimChain& chain) {
  json boards = json::array();
  for (int b = 0; b < chain.board_count(); ++b) {
    const core::BoardId board_id{b};
    const auto& board = chain.board(board_id);
    json ports = json::array();
    for (int n = 1; n <= core::kPortsPerBoard; ++n) {
      const core::PortId id{board_id, n};
      const auto& port = chain.port(id);
      ports.push_back(
          {{"id", id.str()},
           {"relay_on", port.relay_on},
           {"power_sensed", chain.powered(id)},
           {"load", chain.load_amps(id)},
           {"appliance_load", port.appliance_amps},
           {"shutdown_signal", port.shutdown_asserted},
           {"wire", port.cable.endpoint},
           {"wire_cut", port.cable.cut},
           {"wire_noise", port.cable.noise},
           {"wire_delay_ms", std::chrono::duration<double, std::milli>(port.cable.delay).count()},
           {"responding",
            port.fault != PortFault::kNoResponse && board.fault != BoardFault::kNoResponse},
           {"fault", to_string(port.fault)}});
    }
    boards.push_back({{"id", board_id.str()},
                      {"responding", board.fault != BoardFault::kNoResponse},
                      {"code_version", chain.code_version()},
                      {"temperature", optional_number(board.temperature_c)},
                      {"input_load", chain.input_load_amps(board_id)},
                      {"fault", to_string(board.fault)},
                      {"powered_up", board.powered_up},
                      {"ports", std::move(ports)}});
  }
  json state = {{"unplugged", chain.unplugged()},      {"supplied", chain.supplied()},
                {"fed_by_ups", chain.fed_by_supply()}, {"load_sense", chain.load_sense()},
                {"on_sense", chain.on_sense()},        {"boards", std::move(boards)}};
  return state.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string history_json(const SimChain& chain, std::optional<core::PortId> port) {
  static constexpr char kHex[] = "0123456789abcdef";
  json entries = json::array();
  for (const auto& entry : chain.history()) {
    if (port && entry.port != *port) continue;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(entry.at.time_since_epoch());
    json item = {{"t_ms", static_cast<std::int64_t>(ms.count())},
                 {"port", entry.port.str()},
                 {"kind", to_string(entry.kind)},
                 {"source", to_string(entry.source)}};
    if (entry.kind == HistoryEntry::Kind::kTickle) {
      std::string hex;
      for (auto byte : entry.pattern) {
        hex += kHex[byte >> 4];
        hex += kHex[byte & 0xf];
      }
      item["pattern"] = hex;
    } else {
      item["on"] = entry.on;
    }
    entries.push_back(std::move(item));
  }
  return entries.dump();
}

std::string execute_control_command(SimChain& chain, std::string_view line) {
  auto w = split(line);
  if (w.empty()) return error("empty command; try 'help'");
  const auto& command = w[0];
  if (command == "state") return w.size() == 1 ? state_json(chain) : no_arguments(w);
  if (command == "history") return do_history(chain, w);
  if (command == "fault") return do_fault(chain, w);
  if (command == "load") return do_load(chain, w);
  if (command == "temperature") return do_temperature(chain, w);
  if (command == "switch") return do_switch(chain, w);
  if (command == "unplug" || command == "plug") {
    if (w.size() != 1) return no_arguments(w);
    chain.set_unplugged(command == "unplug");
    return "ok";
  }
  if (command == "power-loss") {
    if (w.size() > 2) return usage("power-loss [BOARD]");
    std::optional<core::BoardId> board;
    if (w.size() == 2) {
      std::string why;
      board = board_of(chain, w[1], why);
      if (!board) return why;
    }
    chain.power_loss(board);
    return "ok";
  }
  if (command == "help")
    return w.size() == 1 ? kHelp + std::string(kWireCommandsHelp) : no_arguments(w);
  if (auto reply = execute_wire_command(chain, w)) return *reply;
  return error("unknown command " + quote(command) + "; try 'help'");
}

}  // namespace netpower::collectors::sim
