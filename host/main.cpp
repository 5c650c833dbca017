// netpower-host: answers its outlet's tickles with the host's identity, says hello and sends
// heartbeats to the manager, and shuts the host down on the outlet's shutdown signal.
// docs/host.md describes the configuration.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <system_error>

#include "core/clock.h"
#include "core/config_error.h"
#include "core/select_loop.h"
#include "host/host_config.h"
#include "host/host_daemon.h"
#include "host/informer.h"
#include "host/line.h"

int main(int argc, char** argv) {
  using namespace netpower;
  CLI::App app{"netpower-host: answers tickles on this host's outlet line with its identity"};
  std::string config_path = "/etc/netpower/host.yaml";
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  app.add_flag("--check-config", check_only, "check the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  host::HostConfig config;
  host::HostIdentity identity;
  try {
    config = host::load_host_config(config_path);
    identity = host::read_identity(config);
  } catch (const core::ConfigError& e) {
    std::fprintf(stderr, "netpower-host: %s\n", e.what());
    return 2;
  }
  if (check_only) {
    std::printf("%s: ok (host id %s, hostname %s)\n", config_path.c_str(), identity.host_id.c_str(),
                identity.hostname.c_str());
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  try {
    core::SteadyClock clock;
    core::SelectLoop loop(clock);
    loop.stop_on_signals();
    auto informer = host::make_snmp_informer(config.manager);
    host::HostDaemon daemon(config, identity, loop, *informer);
    daemon.start(host::make_line(config.line));
    loop.run();
    spdlog::info("stopping: {} tickles answered, {} informs delivered, {} failed",
                 daemon.stats().answered, informer->stats().delivered, informer->stats().failed);
  } catch (const std::system_error& e) {
    spdlog::critical("{}", e.what());
    return 1;
  } catch (const std::runtime_error& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
