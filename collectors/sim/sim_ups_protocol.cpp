#include "collectors/sim/sim_ups_protocol.h"

#include <nlohmann/json.hpp>

#include "collectors/sim/control_words.h"

namespace netpower::collectors::sim {

namespace {

using nlohmann::json;

constexpr const char* kHelp =
    "commands: state | commands | mains on|off | input VOLTS | load PERCENT | charge PERCENT | "
    "temperature CELSIUS | battery-bad on|off | fault on|off | silence on|off | help";

std::optional<bool> on_off(std::string_view word) {
  if (word == "on") return true;
  if (word == "off") return false;
  return std::nullopt;
}

std::string state(SimUps& ups) {
  auto reading = ups.read();
  json vars = json::object();
  auto truth = ups.vars_now();
  for (const auto& [name, value] : truth.all()) vars[name] = value;
  return json{{"link", to_string(reading.link)},
              {"output_on", ups.output_on()},
              {"feeds_chain", ups.feeds_load()},
              {"vars", vars}}
      .dump();
}

std::string history(const SimUps& ups) {
  json out = json::array();
  for (const auto& record : ups.history()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(record.at.time_since_epoch());
    out.push_back({{"at_ms", ms.count()}, {"command", record.text}});
  }
  return out.dump();
}

}  // namespace

std::string execute_ups_control_command(SimUps& ups, std::string_view line) {
  auto w = split(line);
  if (w.empty()) return error("empty command; " + std::string(kHelp));
  const auto& verb = w[0];
  if (verb == "help" && w.size() == 1) return kHelp;
  if (verb == "state" && w.size() == 1) return state(ups);
  if (verb == "commands" && w.size() == 1) return history(ups);

  using Setter = void (SimUps::*)(bool);
  struct Flag {
    std::string_view verb;
    Setter set;
  };
  for (const Flag& flag :
       {Flag{"mains", &SimUps::set_mains}, Flag{"battery-bad", &SimUps::set_battery_bad},
        Flag{"fault", &SimUps::set_fault}, Flag{"silence", &SimUps::set_silent}}) {
    if (verb != flag.verb) continue;
    auto value = w.size() == 2 ? on_off(w[1]) : std::nullopt;
    if (!value) return error("usage: " + std::string(flag.verb) + " on|off");
    (ups.*flag.set)(*value);
    return "ok";
  }

  if (verb == "load" && ups.feeds_load()) {
    return error(
        "the UPS feeds the simulated chain: its load is what the chain's ports draw (change an "
        "appliance's load on the chain's control socket: load PORT AMPS)");
  }
  using NumberSetter = void (*)(SimUps&, double);
  struct Number {
    std::string_view verb;
    NumberSetter set;
    double min, max;
  };
  for (const Number& number : {
           Number{"input", [](SimUps&u, double v) { u.set_input_voltage(v); }, 0, 600},
           Number{"load", [](SimUps&u, double v) { u.set_load(v); }, 0, 150},
           Number{"charge", [](SimUps&u, double v) { u.set_charge(v); }, 0, 100},
           Number{"temperature", [](SimUps&u, double v) { u.set_temperature(v); }, -40, 125},
       }) {
    if (verb != number.verb) continue;
    std::string what(number.verb);
    if (w.size() != 2) return error("usage: " + what + " NUMBER");
    std::string why;
    auto value = number_of(w[1], what.c_str(), number.min, number.max, why);
    if (!value) return why;
    number.set(ups, *value);
    return "ok";
  }
  return error("unknown command " + quote(line) + "; " + kHelp);
}

}  // namespace netpower::collectors::sim
