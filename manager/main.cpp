// netpower-manager: polls agents, receives traps, keeps history, and serves what it knows as
// Prometheus metrics and a JSON API (docs/manager.md).

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "core/config_error.h"
#include "manager/config/manager_config.h"
#include "manager/daemon/event_hub.h"
#include "manager/daemon/poll_feed.h"
#include "manager/daemon/poller_pool.h"
#include "manager/daemon/threshold_events.h"
#include "manager/exporter/exporter.h"
#include "manager/http/http_server.h"
#include "manager/state/fleet_state.h"
#include "manager/store/soci_store.h"
#include "manager/traps/trap_receiver.h"
#include "manager/traps/trap_settings.h"

namespace {

constexpr const char* kVersion = "0.1.0";

struct Options {
  std::string config_file = "/etc/netpower/manager.yaml";
  std::string log_level;
  bool check_only = false;
  bool check_db = false;
};

std::vector<netpower::manager::model::AgentRecord> agent_records(
    const netpower::manager::config::ManagerConfig& config) {
  std::vector<netpower::manager::model::AgentRecord> out;
  for (const auto& a : config.agents) {
    out.push_back({a.name, a.address, a.port, to_string(a.version), a.labels});
  }
  return out;
}

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

  auto history = store::open_store(config.store);
  history->set_agents(agent_records(config));
  state::FleetState fleet(config.agents);

  // Every event is published once on the hub; the state's recent events and the store take it
  // from there (in this order, so the API shows an event no later than the database has it).
  daemon::EventHub hub;
  hub.subscribe("state", [&fleet](const std::vector<model::Event>& events) {
    for (const auto& e : events) fleet.add_event(e);
  });
  hub.subscribe("store", [&history](const std::vector<model::Event>& events) {
    history->add_events(events);
  });

  traps::TrapReceiverPtr receiver;
  if (trap_settings && trap_settings->enabled) {
    traps::TrapReceiverOptions trap_options;
    for (const auto& a : config.agents) trap_options.agents.push_back({a.name, a.address});
    trap_options.events = &hub;
    // The state follows a trap at once (a port's control status without waiting for a poll).
    trap_options.on_trap = [&fleet, &hub](const traps::DecodedTrap& trap) {
      fleet.apply_trap(trap);
      if (auto crossing = daemon::threshold_event(trap)) hub.publish(std::move(*crossing));
    };
    receiver = traps::start_trap_receiver(*trap_settings, std::move(trap_options));
    spdlog::info("receiving traps on udp:{}:{} (socket buffer {} bytes)",
                 trap_settings->listen_address, receiver->port(), receiver->receive_buffer_bytes());
  } else {
    spdlog::info("no trap receiver ('traps' is absent or disabled in {})", config.file);
  }

  daemon::PollFeed feed(fleet, history.get(), &hub);
  daemon::PollerPool pollers(config, feed);

  exporter::HealthSources health;
  health.poller = [&pollers]() { return pollers.metrics(); };
  health.store = [&history]() { return history->metrics(); };
  if (receiver) health.traps = [&receiver]() { return receiver->counters(); };
  exporter::Exporter metrics(fleet, health);

  http::HttpServerPtr web;
  if (config.http.enabled) {
    http::HttpServerOptions http_options;
    http_options.address = config.http.address;
    http_options.port = config.http.port;
    if (!config.http.token.empty()) http_options.token = config.http.token.reveal();
    for (const auto& p : config.http.principals) {
      http_options.principals.push_back({p.name, p.role, p.token.reveal()});
    }
    http_options.metrics_require_auth = config.http.metrics_require_auth;
    http_options.events = &hub;  // POST /api/v1/notes; the store's reader is not wired yet
    web = std::make_unique<http::HttpServer>(http_options, fleet,
                                             [&metrics]() { return metrics.scrape(); });
    web->start();
    const std::size_t principals = http_options.principals.size() + (http_options.token ? 1 : 0);
    if (principals == 0) {
      spdlog::warn(
          "HTTP: no principals (http.principals): the API is open for reading and "
          "refuses every state-changing request");
    }
    spdlog::info("HTTP on http://{}:{}: /metrics, /api/v1/status ({} principal(s))", web->address(),
                 web->port(), principals);
  } else {
    spdlog::info("no HTTP server (http.enabled is false)");
  }

  pollers.start();
  spdlog::info("netpower-manager {} running: {} agent(s), store {}", kVersion, config.agents.size(),
               config.store.backend == config::StoreBackend::kPostgresql
                   ? config.store.postgresql.describe()
                   : config.store.sqlite_path);
  int signo = 0;
  sigwait(&signals, &signo);
  spdlog::info("netpower-manager stopping (signal {})", signo);
  pollers.stop();
  auto totals = pollers.metrics();
  spdlog::info("poller stopped: {} polls, {} failed, {} varbinds", totals.polls_total,
               totals.poll_failures_total, totals.varbinds_total);
  if (web) web->stop();
  receiver.reset();  // no more events from the traps
  hub.stop();        // delivers what was published, then the store flushes it
  history.reset();
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
