// netpowerctl: the operator's command line, speaking to netpower-manager's HTTP API
// (docs/netpowerctl.md). The commands live in *_commands.cpp; this parses and dispatches.

#include <CLI/CLI.hpp>

#include <iostream>

#include "manager/ctl/commands.h"
#include "manager/ctl/session.h"

int main(int argc, char** argv) {
  using namespace netpower::ctl;
  CLI::App app{
      "netpowerctl: the operator's command line of netpower, speaking to netpower-manager's HTTP "
      "API.\n"
      "Exit status: 0 ok (every action succeeded), 1 usage error or the manager failed, could not "
      "be reached or refused the token, 2 an action was refused (nothing was switched), 3 an "
      "action failed (switched, not verified), 4 discover found the inventory wrong."};
  app.require_subcommand(1);
  Commands commands;
  add_read_commands(app, commands);
  add_action_commands(app, commands);
  add_inventory_commands(app, commands);
  add_audit_command(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitError;
  }

  try {
    for (const auto& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const Failure& failure) {
    std::cerr << "netpowerctl: " << failure.message << "\n";
    return failure.code;
  }
  return kExitError;
}
