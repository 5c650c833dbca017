// netpower-agent: the AgentX subagent that serves local power hardware as the Sentry2-MIB (PDU
// chains) and RFC 1628's UPS-MIB (UPSes).

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "agent/access/snmpd_access.h"
#include "agent/agent_config.h"
#include "agent/model/chain_model.h"
#include "agent/settings/settings_store.h"
#include "agent/snmp/netpower_mib.h"
#include "agent/snmp/netpower_oids.h"
#include "agent/snmp/notifier.h"
#include "agent/snmp/sentry2_mib.h"
#include "agent/snmp/sentry2_traps.h"
#include "agent/snmp/subagent.h"
#include "agent/snmp/ups_mib.h"
#include "agent/traps/trap_engine.h"
#include "agent/ups/ups_model.h"
#include "collectors/registry.h"
#include "core/config_error.h"
#include "core/select_loop.h"
#include "core/yaml_reader.h"

namespace {

constexpr const char* kVersion = "0.1.0";

struct Options {
  std::string config_file = "/etc/netpower/agent.yaml";
  std::string agentx_socket;
  std::string log_level;
  double time_scale = 1.0;
  bool check_only = false;
  bool snmpd_access = false;
  bool reset_settings = false;
};

// The UPS-MIB settings of the configuration file (upsShutdownType and upsAutoRestart have no key).
netpower::agent::ups::UpsPersistent ups_base(const netpower::agent::ups::UpsAgentSettings& s) {
  netpower::agent::ups::UpsPersistent base;
  base.name = s.name;
  base.attached_devices = s.attached_devices;
  base.low_batt_minutes = s.low_batt_minutes;
  return base;
}

int run(const Options& options) {
  using namespace netpower;
  auto config = agent::load_agent_config(options.config_file);
  if (options.snmpd_access) {
    std::fputs(agent::access::snmpd_access_config(config.access, config.file).c_str(), stdout);
    return 0;
  }
  if (!options.agentx_socket.empty()) config.agentx.socket = options.agentx_socket;
  if (!options.log_level.empty()) config.log_level = options.log_level;
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  core::ClockPtr clock;
  if (options.time_scale != 1.0) {
    clock = std::make_unique<core::ScaledClock>(options.time_scale);
    spdlog::warn("time runs {}x faster than real time (--time-scale): for tests and demos only",
                 options.time_scale);
  } else {
    clock = std::make_unique<core::SteadyClock>();
  }
  core::SelectLoop loop(*clock);

  core::YamlReader reader(config.file);
  collectors::DriverContext context{loop, reader, !options.check_only};
  collectors::PduCollectorPtr pdu;
  if (!config.pdu.driver.empty()) {
    pdu = collectors::make_pdu_collector(config.pdu.driver, config.pdu.driver_settings, context);
  }
  collectors::UpsCollectorPtr ups;
  if (!config.ups.driver.empty()) {
    context.pdu = pdu.get();  // a simulated UPS may feed the simulated chain (docs/ups.md)
    ups = collectors::make_ups_collector(config.ups.driver, config.ups.driver_settings, context);
  }
  if (options.check_only) {
    // The saved settings are read at start too: a damaged file is a configuration error.
    agent::SettingsStore(config.settings_file, config.chain, ups_base(config.ups.agent)).load();
    std::printf("%s: configuration is valid\n", config.file.c_str());
    return 0;
  }

  agent::snmp::Subagent subagent(
      {"netpower-agent", config.agentx.socket, config.agentx.ping_interval});

  std::unique_ptr<agent::ChainModel> chain;
  std::unique_ptr<agent::snmp::Sentry2Mib> sentry2;
  std::unique_ptr<agent::SettingsStore> settings_store;
  std::unique_ptr<agent::snmp::NetpowerMib> netpower_mib;
  std::unique_ptr<agent::snmp::Sentry2TrapSender> trap_sender;
  std::unique_ptr<agent::traps::TrapEngine> trap_engine;
  // Settings changed over SNMP survive restarts (docs/agent.md "Settings over SNMP"): the
  // NETPOWER-MIB's and the UPS-MIB's writable ones.
  settings_store = std::make_unique<agent::SettingsStore>(config.settings_file, config.chain,
                                                          ups_base(config.ups.agent));
  if (options.reset_settings) settings_store->reset();
  auto saved_chain = settings_store->load();
  auto* store = settings_store.get();
  if (pdu) {
    chain = std::make_unique<agent::ChainModel>(loop, *pdu, saved_chain, config.tickle.bit_time);
    // netpowerTickleSentTime is on the master's sysUpTime, as the UPS-MIB's TimeStamps.
    chain->set_uptime_source([&subagent]() { return subagent.uptime_ticks(); });
    chain->on_settings_change([store](const agent::ChainSettings& s) { store->save(s); });
    // The Sentry2 traps (docs/agent-traps.md), from the first read on.
    trap_sender = std::make_unique<agent::snmp::Sentry2TrapSender>(*chain, subagent);
    trap_engine =
        std::make_unique<agent::traps::TrapEngine>(loop, *chain, *trap_sender, config.traps.period);
    auto* engine = trap_engine.get();
    chain->on_refreshed([engine]() { engine->on_refreshed(); });
    chain->on_control_change(
        [engine](core::PortId port, agent::ControlState) { engine->on_control_change(port); });
    subagent.on_connection_change([engine](bool up) {
      if (up) engine->on_sendable();
    });
    chain->start_polling(config.pdu.poll_interval);
    sentry2 = std::make_unique<agent::snmp::Sentry2Mib>(*chain);
    subagent.register_module(
        "Sentry2-MIB", agent::snmp::kSentry2Root,
        [&sentry2]() -> const agent::snmp::MibTree& { return sentry2->tree(); });
    netpower_mib =
        std::make_unique<agent::snmp::NetpowerMib>(*chain, config.chain, config.access, store);
    subagent.register_module(
        "NETPOWER-MIB", agent::snmp::kNetpowerMib,
        [&netpower_mib]() -> const agent::snmp::MibTree& { return netpower_mib->tree(); });
  }

  std::unique_ptr<agent::ups::UpsModel> ups_model;
  std::unique_ptr<agent::snmp::UpsMib> ups_mib;
  if (ups) {
    ups_model = std::make_unique<agent::ups::UpsModel>(loop, *ups, config.ups.agent);
    // upsAlarmTime and upsTestStartTime are the master's sysUpTime (docs/ups.md).
    ups_model->set_uptime_source([&subagent]() { return subagent.uptime_ticks(); });
    ups_model->restore(store->ups());
    ups_mib = std::make_unique<agent::snmp::UpsMib>(
        *ups_model, std::string("netpower-agent ") + kVersion + " (" + ups->name() + ")");
    auto& events = ups_model->events();
    auto* mib = ups_mib.get();
    auto* model = ups_model.get();
    events.settings_changed = [store, model]() { store->save_ups(model->persistent()); };
    using agent::snmp::send_notification;
    events.on_battery = [mib]() {
      send_notification("upsTrapOnBattery", agent::snmp::kUpsTrapOnBattery,
                        mib->on_battery_varbinds());
    };
    events.test_completed = [mib]() {
      send_notification("upsTrapTestCompleted", agent::snmp::kUpsTrapTestCompleted,
                        mib->test_completed_varbinds());
    };
    events.alarm_added = [mib](const agent::ups::AlarmRow& row) {
      send_notification("upsTrapAlarmEntryAdded", agent::snmp::kUpsTrapAlarmEntryAdded,
                        mib->alarm_varbinds(row));
    };
    events.alarm_removed = [mib](const agent::ups::AlarmRow& row) {
      send_notification("upsTrapAlarmEntryRemoved", agent::snmp::kUpsTrapAlarmEntryRemoved,
                        mib->alarm_varbinds(row));
    };
    subagent.register_module("UPS-MIB", agent::snmp::kUpsMibRoot,
                             [mib]() -> const agent::snmp::MibTree& { return mib->tree(); });
  }

  subagent.start();
  loop.add_source(&subagent);
  loop.stop_on_signals();
  // Poll the UPS only once the session can carry the traps its first reading may raise.
  if (ups_model) ups_model->start_polling();

  spdlog::info("netpower-agent {} running:{}{}", kVersion,
               pdu ? " " + pdu->name() + " PDU collector with " +
                         std::to_string(chain->board_count()) + " board(s)"
                   : std::string(),
               ups ? " " + ups->name() + " UPS collector" : std::string());
  loop.run();
  spdlog::info("netpower-agent stopping");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("netpower-agent");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  Options options;
  CLI::App app{
      "netpower-agent: serves PDU chains and UPSes to snmpd over AgentX (Sentry2-MIB, UPS-MIB)",
      "netpower-agent"};
  app.add_option("-c,--config", options.config_file, "configuration file (YAML)")
      ->capture_default_str();
  app.add_option("--agentx-socket", options.agentx_socket,
                 "AgentX master address, overrides agentx.socket (path or tcp:HOST:PORT)");
  app.add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error, critical or off; overrides log.level");
  app.add_option("--time-scale", options.time_scale,
                 "run the agent's clock this many times faster (tests and demos only)")
      ->check(CLI::Range(0.001, 100000.0));
  app.add_flag("--check-config", options.check_only,
               "validate the configuration (and the collector's settings) and exit");
  app.add_flag("--snmpd-access", options.snmpd_access,
               "print the snmpd.conf VACM lines (groups, views) for the users of access.users and "
               "exit");
  app.add_flag("--reset-settings", options.reset_settings,
               "start from the configuration file's settings: the settings file is moved aside "
               "to FILE.reset (e.g. after it was damaged)");
  app.set_version_flag("--version", kVersion);
  CLI11_PARSE(app, argc, argv);

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
