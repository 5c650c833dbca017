// netpower-manager: polls agents, receives traps, keeps history, and serves what it knows as
// Prometheus metrics and a JSON API (docs/manager.md).

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "core/config_error.h"
#include "manager/actions/inventory.h"
#include "manager/config/manager_config.h"
#include "manager/daemon/manager.h"
#include "manager/store/soci_store.h"
#include "manager/traps/trap_settings.h"

namespace {

constexpr const char* kVersion = "0.1.0";

struct Options {
  std::string config_file = "/etc/netpower/manager.yaml";
  std::string log_level;
  bool check_only = false;
  bool check_db = false;
};

int run(const Options& options) {
  using namespace netpower::manager;
  auto config = config::load_manager_config(options.config_file);
  spdlog::set_level(
      spdlog::level::from_str(options.log_level.empty() ? config.log_level : options.log_level));
  std::optional<traps::TrapSettings> trap_settings;
  if (config.traps && !config.traps.IsNull()) {
    netpower::core::YamlReader reader(config.file);
    trap_settings = traps::read_trap_settings(reader, config.traps);
  }

  // The inventory (hosts:, actions:) is checked here too, so that --check-config names its errors.
  actions::read_inventory(config, trap_settings ? &*trap_settings : nullptr);

  if (options.check_only) {
    if (options.check_db) {
      auto applied = store::migrate_database(config.store);
      for (const auto& name : applied) std::printf("applied migration %s\n", name.c_str());
      std::printf("database schema is current\n");
    }
    std::printf("%s: configuration is valid (%zu agents)\n", config.file.c_str(),
                config.agents.size());
    return 0;
  }

  // Block the stop signals before any thread starts, then wait for one of them here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::size_t agents = config.agents.size();
  const std::string store = config.store.backend == config::StoreBackend::kPostgresql
                                ? config.store.postgresql.describe()
                                : config.store.sqlite_path;
  daemon::ManagerOptions manager_options{std::move(config), std::move(trap_settings)};
  manager_options.version = kVersion;
  daemon::Manager manager(std::move(manager_options));
  manager.start();
  spdlog::info("netpower-manager {} running: {} agent(s), store {}", kVersion, agents, store);
  int signo = 0;
  sigwait(&signals, &signo);
  spdlog::info("netpower-manager stopping (signal {})", signo);
  manager.stop();
  spdlog::info("netpower-manager stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("netpower-manager");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  Options options;
  CLI::App app{"netpower-manager: polls netpower agents, receives their traps, keeps history",
               "netpower-manager"};
  app.add_option("-c,--config", options.config_file, "configuration file (YAML)")
      ->capture_default_str();
  app.add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error, critical or off; overrides log.level");
  app.add_flag("--check-config", options.check_only, "validate the configuration and exit");
  app.add_flag("--check-db", options.check_db,
               "with --check-config: also connect to the database and apply pending migrations");
  app.set_version_flag("--version", kVersion);
  CLI11_PARSE(app, argc, argv);
  if (options.check_db && !options.check_only) {
    std::fprintf(stderr, "--check-db needs --check-config\n");
    return 2;
  }

  try {
    return run(options);
  } catch (const netpower::core::ConfigError& e) {
    spdlog::critical("configuration error: {}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
