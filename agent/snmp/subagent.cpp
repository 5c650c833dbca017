#include "agent/snmp/subagent.h"

#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace netpower::agent::snmp {

struct Subagent::Registration {
  std::string name;
  Oid root;
  std::function<const MibTree&()> tree;
};

namespace {

bool g_instance = false;

// net-snmp's log lines go to spdlog with their severity.
int log_bridge(int, int, void* server_arg, void*) {
  auto* message = static_cast<snmp_log_message*>(server_arg);
  std::string text = message->msg ? message->msg : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return 0;
  switch (message->priority) {
    case LOG_EMERG:
    case LOG_ALERT:
    case LOG_CRIT:
    case LOG_ERR:
      spdlog::error("net-snmp: {}", text);
      break;
    case LOG_WARNING:
      spdlog::warn("net-snmp: {}", text);
      break;
    case LOG_NOTICE:
    case LOG_INFO:
      spdlog::info("net-snmp: {}", text);
      break;
    default:
      spdlog::debug("net-snmp: {}", text);
  }
  return 0;
}

void set_value(netsnmp_variable_list* vb, const Value& value) {
  if (value.type == ASN_OCTET_STR) {
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, value.octets.data(), value.octets.size());
  } else if (value.type == ASN_OBJECT_ID) {
    snmp_set_var_typed_value(vb, ASN_OBJECT_ID, value.object_id.data(),
                             value.object_id.size() * sizeof(oid));
  } else {
    snmp_set_var_typed_integer(vb, value.type, value.integer);
  }
}

long request_id_of(netsnmp_agent_request_info* reqinfo) {
  if (reqinfo->asp != nullptr && reqinfo->asp->pdu != nullptr) return reqinfo->asp->pdu->reqid;
  return 0;
}

void handle_one(const MibTree& tree, netsnmp_agent_request_info* reqinfo,
                netsnmp_request_info* request) {
  auto* vb = request->requestvb;
  switch (reqinfo->mode) {
    case MODE_GET: {
      const auto* instance = tree.exact(vb->name, vb->name_length);
      std::optional<Value> value;
      if (instance != nullptr) value = instance->get();
      if (value) {
        set_value(vb, *value);
      } else {
        bool known = instance != nullptr || tree.object_of(vb->name, vb->name_length).first;
        netsnmp_set_request_error(reqinfo, request,
                                  known ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
      }
      return;
    }
    case MODE_GETNEXT: {
      const auto* instance = tree.next(vb->name, vb->name_length);
      while (instance != nullptr) {
        if (auto value = instance->get()) {
          snmp_set_var_objid(vb, instance->oid.data(), instance->oid.size());
          set_value(vb, *value);
          return;
        }
        instance = tree.next(instance->oid.data(), instance->oid.size());
      }
      // Nothing after it in our subtree: leave the varbind alone so the agent moves on.
      return;
    }
    case MODE_SET_RESERVE1: {
      const auto* instance = tree.exact(vb->name, vb->name_length);
      int error = SNMP_ERR_NOERROR;
      if (instance == nullptr) {
        auto [known, writable] = tree.object_of(vb->name, vb->name_length);
        error = known && !writable ? SNMP_ERR_NOTWRITABLE : SNMP_ERR_NOCREATION;
      } else if (!instance->check) {
        error = SNMP_ERR_NOTWRITABLE;
      } else {
        error = instance->check(SetRequest{*vb, request_id_of(reqinfo)});
      }
      if (error != SNMP_ERR_NOERROR) netsnmp_set_request_error(reqinfo, request, error);
      return;
    }
    case MODE_SET_RESERVE2: {
      const auto* instance = tree.exact(vb->name, vb->name_length);
      if (instance == nullptr || !instance->check_together) return;
      int error = instance->check_together(SetRequest{*vb, request_id_of(reqinfo)});
      if (error != SNMP_ERR_NOERROR) netsnmp_set_request_error(reqinfo, request, error);
      return;
    }
    case MODE_SET_ACTION: {
      const auto* instance = tree.exact(vb->name, vb->name_length);
      int error = instance != nullptr && instance->commit
                      ? instance->commit(SetRequest{*vb, request_id_of(reqinfo)})
                      : SNMP_ERR_GENERR;
      if (error != SNMP_ERR_NOERROR) netsnmp_set_request_error(reqinfo, request, error);
      return;
    }
    default:
      // COMMIT, FREE, UNDO: the work is done in ACTION; a power switch cannot be undone.
      return;
  }
}

int handler(netsnmp_mib_handler* handler, netsnmp_handler_registration*,
            netsnmp_agent_request_info* reqinfo, netsnmp_request_info* requests) {
  auto* registration = static_cast<Subagent::Registration*>(handler->myvoid);
  try {
    const MibTree& tree = registration->tree();
    for (auto* request = requests; request != nullptr; request = request->next) {
      if (request->processed) continue;
      handle_one(tree, reqinfo, request);
    }
  } catch (const std::exception& e) {
    spdlog::error("{}: request failed: {}", registration->name, e.what());
    for (auto* request = requests; request != nullptr; request = request->next) {
      netsnmp_set_request_error(reqinfo, request, SNMP_ERR_GENERR);
    }
  }
  return SNMP_ERR_NOERROR;
}

}  // namespace

Subagent::Subagent(SubagentOptions options) : options_(std::move(options)) {
  if (g_instance) throw std::logic_error("only one AgentX subagent per process");
  g_instance = true;

  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_bridge, nullptr);
  netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);

  netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
  if (!options_.agentx_socket.empty()) {
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                          options_.agentx_socket.c_str());
  }
  netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                     static_cast<int>(options_.ping_interval.count()));
  // Alarms run from our loop, never from SIGALRM.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
  // Our configuration is our own file; net-snmp reads no snmp.conf and writes no persistent state.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  // The agent serves OIDs; it needs no MIB files, and loading the host's would only log noise.
  ::setenv("MIBS", "", 1);
  init_agent(options_.name.c_str());
}

Subagent::~Subagent() {
  for (int minor : {SNMPD_CALLBACK_INDEX_START, SNMPD_CALLBACK_INDEX_STOP}) {
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, minor, session_callback, this, 1);
  }
  if (started_) snmp_shutdown(options_.name.c_str());
  g_instance = false;
}

void Subagent::register_module(const std::string& name, const Oid& root,
                               std::function<const MibTree&()> tree) {
  auto registration = std::make_unique<Registration>(Registration{name, root, std::move(tree)});
  auto* reginfo = netsnmp_create_handler_registration(
      registration->name.c_str(), handler, registration->root.data(), registration->root.size(),
      HANDLER_CAN_RWRITE);
  if (reginfo == nullptr) throw std::runtime_error("cannot create the registration of " + name);
  reginfo->handler->myvoid = registration.get();
  if (netsnmp_register_handler(reginfo) != MIB_REGISTERED_OK) {
    throw std::runtime_error("cannot register " + name + " at " + to_string(root));
  }
  spdlog::info("serving {} at {}", name, to_string(root));
  registrations_.push_back(std::move(registration));
}

std::uint64_t Subagent::uptime_ticks() const { return netsnmp_get_agent_uptime(); }

void Subagent::start() {
  // init_agent() registers agentxPingInterval with its default; set ours again after it.
  netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                     static_cast<int>(options_.ping_interval.count()));
  // The subagent module announces every open and close of the master session with these (the
  // session's own pointer, main_session, is not in net-snmp's installed headers).
  for (int minor : {SNMPD_CALLBACK_INDEX_START, SNMPD_CALLBACK_INDEX_STOP}) {
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, minor, session_callback, this);
  }
  init_snmp(options_.name.c_str());
  started_ = true;
  spdlog::info("AgentX subagent started; master at {}",
               options_.agentx_socket.empty() ? "the default socket" : options_.agentx_socket);
}

int Subagent::session_callback(int, int minor, void*, void* client_arg) {
  auto* self = static_cast<Subagent*>(client_arg);
  bool up = minor == SNMPD_CALLBACK_INDEX_START;
  if (up == self->connected_) return 0;
  self->connected_ = up;
  spdlog::info("AgentX session to the master {}", up ? "open" : "closed");
  if (self->connection_listener_) self->connection_listener_(up);
  return 0;
}

void Subagent::prepare(fd_set& readable, int& max_fd, core::Duration& timeout) {
  int numfds = max_fd + 1;
  int block = 1;
  timeval tv{0, 0};
  snmp_select_info(&numfds, &readable, &tv, &block);
  max_fd = std::max(max_fd, numfds - 1);
  if (block == 0) {
    auto wait = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    timeout = std::min(timeout, std::chrono::duration_cast<core::Duration>(wait));
  }
}

void Subagent::dispatch(const fd_set& readable) {
  fd_set copy = readable;
  snmp_read(&copy);
  snmp_timeout();
  run_alarms();
  netsnmp_check_outstanding_agent_requests();
}

}  // namespace netpower::agent::snmp
