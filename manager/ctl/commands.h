#pragma once
// netpowerctl's commands, one file per family: each adds its subcommands (options, help,
// examples) to the application and says what runs when one of them is parsed.

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace netpower::ctl {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // the exit status; throws Failure (session.h)
};
using Commands = std::vector<Command>;

// status, events, history (read_commands.cpp).
void add_read_commands(CLI::App& app, Commands& out);
// on, off, reboot, tickle (action_commands.cpp).
void add_action_commands(CLI::App& app, Commands& out);
// discover, bindings, hosts (inventory_commands.cpp).
void add_inventory_commands(CLI::App& app, Commands& out);
// audit (audit_command.cpp).
void add_audit_command(CLI::App& app, Commands& out);

}  // namespace netpower::ctl
