#include "manager/daemon/manager.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "manager/actions/action_manager.h"
#include "manager/daemon/event_hub.h"
#include "manager/daemon/poll_feed.h"
#include "manager/daemon/poller_pool.h"
#include "manager/daemon/threshold_events.h"
#include "manager/exporter/exporter.h"
#include "manager/exporter/process_health.h"
#include "manager/http/http_server.h"
#include "manager/store/action_journal.h"
#include "manager/store/audit_health.h"
#include "manager/store/soci_store.h"
#include "manager/store/store_health.h"
#include "manager/traps/trap_health.h"
#include "manager/traps/trap_receiver.h"

namespace netpower::manager::daemon {

namespace {

std::vector<model::AgentRecord> agent_records(const config::ManagerConfig& config) {
  std::vector<model::AgentRecord> out;
  for (const auto& a : config.agents) {
    out.push_back({a.name, a.address, a.port, to_string(a.version), a.labels});
  }
  return out;
}

}  // namespace

// Declared in the order they are built; destroyed in reverse after stop() took them down.
struct Manager::Parts {
  store::StorePtr store;
  store::StoreReaderPtr reader;    // its own connections, never the writer's
  store::AuditJournalPtr journal;  // when the options bring none
  std::unique_ptr<store::AuditHealth> audit_health;
  std::unique_ptr<EventHub> hub;
  std::unique_ptr<state::FleetState> fleet;
  Gate gate;
  std::unique_ptr<actions::ActionManager> actions;
  traps::TrapReceiverPtr receiver;
  std::unique_ptr<PollFeed> feed;
  std::unique_ptr<PollerPool> pollers;
  std::unique_ptr<store::StoreHealth> store_health;
  std::unique_ptr<traps::TrapHealth> trap_health;
  std::unique_ptr<exporter::ProcessHealth> process_health;
  // The HTTP server's health, once it exists (the exporter is built before the server it serves).
  std::unique_ptr<model::HealthFunction> http_health;
  std::unique_ptr<exporter::Exporter> exporter;
  http::HttpServerPtr web;
};

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}

Manager::~Manager() { stop(); }

void Manager::start() {
  const auto& config = options_.config;
  auto p = std::make_unique<Parts>();
  try {
    p->store = store::open_store(config.store);
    p->store->set_agents(agent_records(config));
    p->reader = store::open_store_reader(config.store);
    p->fleet = std::make_unique<state::FleetState>(config.agents);
    // The audit trail of the acting rooms: the one the options bring (tests), else the store's.
    model::ActionJournal* journal = options_.action_journal;
    if (journal == nullptr) {
      p->journal = store::open_action_journal(config.store);
      p->audit_health = std::make_unique<store::AuditHealth>(*p->journal);
      journal = p->journal.get();
    }

    // Every event is published once on the hub; the state's recent events and the store take it
    // from there (in this order, so the API shows an event no later than the database has it).
    p->hub = std::make_unique<EventHub>();
    p->hub->subscribe("state", [fleet = p->fleet.get()](const std::vector<model::Event>& events) {
      for (const auto& e : events) fleet->add_event(e);
    });
    p->hub->subscribe("store", [store = p->store.get()](const std::vector<model::Event>& events) {
      store->add_events(events);
    });

    const auto& trap_settings = options_.traps;
    {
      actions::ActionManagerOptions action_options;
      action_options.config = &options_.config;
      action_options.traps = trap_settings ? &*trap_settings : nullptr;
      action_options.journal = journal;
      action_options.events = p->hub.get();
      action_options.fleet = p->fleet.get();
      action_options.hold = [gate = &p->gate]() -> std::shared_ptr<void> {
        auto hold = gate->enter();
        if (!hold) return nullptr;
        return std::make_shared<Gate::Hold>(std::move(*hold));
      };
      p->actions = std::make_unique<actions::ActionManager>(std::move(action_options));
      p->actions->start();
      spdlog::info("power actions: {} host(s) in the inventory",
                   p->actions->inventory().hosts.size());
    }
    if (trap_settings && trap_settings->enabled) {
      traps::TrapReceiverOptions trap_options;
      for (const auto& a : config.agents) trap_options.agents.push_back({a.name, a.address});
      trap_options.events = p->hub.get();
      // The state follows a trap at once (a port's control status without waiting for a poll).
      trap_options.on_trap = [fleet = p->fleet.get(), hub = p->hub.get(),
                              acting = p->actions.get()](const traps::DecodedTrap& trap) {
        fleet->apply_trap(trap);
        if (auto crossing = threshold_event(trap)) hub->publish(std::move(*crossing));
        if (acting != nullptr) acting->on_trap(trap);
      };
      p->receiver = traps::start_trap_receiver(*trap_settings, std::move(trap_options));
      spdlog::info("receiving traps on udp:{}:{} (socket buffer {} bytes)",
                   trap_settings->listen_address, p->receiver->port(),
                   p->receiver->receive_buffer_bytes());
    } else {
      spdlog::info("no trap receiver ('traps' is absent or disabled in {})", config.file);
    }

    p->feed = std::make_unique<PollFeed>(*p->fleet, p->store.get(), p->hub.get());
    p->pollers = std::make_unique<PollerPool>(config, *p->feed);

    p->store_health = std::make_unique<store::StoreHealth>(*p->store);
    p->process_health =
        std::make_unique<exporter::ProcessHealth>("netpower-manager", options_.version);
    p->http_health =
        std::make_unique<model::HealthFunction>([parts = p.get()](model::HealthWriter& out) {
          if (parts->web) parts->web->write_health(out);
        });
    exporter::HealthSources health = {p->process_health.get(), p->pollers.get(), p->hub.get(),
                                      p->store_health.get(), p->http_health.get()};
    if (p->audit_health) health.push_back(p->audit_health.get());
    if (p->receiver) {
      p->trap_health = std::make_unique<traps::TrapHealth>(*p->receiver);
      health.push_back(p->trap_health.get());
    }
    p->exporter = std::make_unique<exporter::Exporter>(*p->fleet, health);

    if (config.http.enabled) {
      http::HttpServerOptions http_options;
      http_options.address = config.http.address;
      http_options.port = config.http.port;
      if (!config.http.token.empty()) http_options.token = config.http.token.reveal();
      for (const auto& principal : config.http.principals) {
        http_options.principals.push_back(
            {principal.name, principal.role, principal.token.reveal()});
      }
      http_options.metrics_require_auth = config.http.metrics_require_auth;
      const auto& limits = config.http.limits;
      const auto ms = [](core::Duration d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d);
      };
      http_options.max_connections = limits.max_connections;
      http_options.max_connections_per_client = limits.max_connections_per_client;
      http_options.reserved_connections = limits.reserved_connections;
      http_options.idle_timeout = ms(limits.idle_timeout);
      http_options.header_timeout = ms(limits.header_timeout);
      http_options.read_timeout = ms(limits.read_timeout);
      http_options.write_timeout = ms(limits.write_timeout);
      http_options.max_pipelined_requests = limits.max_pipelined_requests;
      http_options.max_requests_per_connection = limits.max_requests_per_connection;
      http_options.events = p->hub.get();
      http_options.store = p->reader.get();
      http_options.actions = p->actions.get();
      p->web = std::make_unique<http::HttpServer>(
          http_options, *p->fleet, [exporter = p->exporter.get()]() { return exporter->scrape(); });
      p->web->start();
      const std::size_t principals = http_options.principals.size() + (http_options.token ? 1 : 0);
      if (principals == 0) {
        spdlog::warn(
            "HTTP: no principals (http.principals): the API is open for reading and refuses "
            "every state-changing request");
      }
      spdlog::info("HTTP on http://{}:{}: /metrics, /api/v1/status ({} principal(s))",
                   p->web->address(), p->web->port(), principals);
    } else {
      spdlog::info("no HTTP server (http.enabled is false)");
    }

    p->pollers->start();
  } catch (...) {
    parts_ = std::move(p);
    stop();
    throw;
  }
  parts_ = std::move(p);
  stopped_ = false;
}

void Manager::stop() {
  if (!parts_ || stopped_) return;
  stopped_ = true;
  auto& p = *parts_;
  if (p.pollers) {
    p.pollers->stop();
    const auto totals = p.pollers->metrics();
    spdlog::info("poller stopped: {} polls, {} failed, {} varbinds", totals.polls_total,
                 totals.poll_failures_total, totals.varbinds_total);
  }
  if (p.web) p.web->stop();
  if (!p.gate.close(options_.stop_timeout)) {
    spdlog::warn("stopping with {} piece(s) of work still in flight after {} ms", p.gate.inside(),
                 options_.stop_timeout.count());
  }
  if (p.actions) p.actions->stop();  // what the gate's timeout left in flight ends "stopping"
  if (p.receiver) {
    p.receiver->stop();
    const auto c = p.receiver->counters();
    spdlog::info("trap receiver stopped: {} datagrams, {} notifications, {} refused, {} malformed",
                 c.received, c.decoded, c.unauthenticated, c.malformed);
  }
  if (p.hub) p.hub->stop();  // delivers what was published; the store then has every event
  if (p.store) {
    if (!p.store->flush(options_.stop_timeout)) {
      const auto m = p.store->metrics();
      spdlog::warn("store: {} row(s) not yet in the database after {} ms; they stay in the spool",
                   m.queued_rows(), options_.stop_timeout.count());
    }
  }
  // Destroyed consumers-last: the HTTP server and the exporter before what they read.
  p.web.reset();
  p.exporter.reset();
  p.trap_health.reset();
  p.process_health.reset();
  p.pollers.reset();
  p.feed.reset();
  p.receiver.reset();
  p.actions.reset();
  p.hub.reset();
  if (p.journal && !p.journal->flush(options_.stop_timeout)) {
    spdlog::warn("audit trail: records not yet in the database after {} ms",
                 options_.stop_timeout.count());
  }
  p.audit_health.reset();
  p.journal.reset();
  p.store_health.reset();
  p.reader.reset();
  p.store.reset();  // writes what is left or spools it
}

std::uint16_t Manager::http_port() const { return parts_ && parts_->web ? parts_->web->port() : 0; }
std::uint16_t Manager::trap_port() const {
  return parts_ && parts_->receiver ? parts_->receiver->port() : 0;
}
state::FleetState& Manager::fleet() { return *parts_->fleet; }
model::EventBus& Manager::hub() { return *parts_->hub; }
store::Store& Manager::store() { return *parts_->store; }
Gate& Manager::gate() { return parts_->gate; }
actions::ActionService* Manager::actions() { return parts_ ? parts_->actions.get() : nullptr; }

}  // namespace netpower::manager::daemon
