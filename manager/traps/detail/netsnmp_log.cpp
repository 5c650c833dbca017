#include "manager/traps/detail/netsnmp_log.h"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <atomic>
#include <mutex>
#include <string_view>

#include <spdlog/spdlog.h>

#include "manager/traps/detail/log_limit.h"

namespace netpower::manager::traps::detail {

namespace {

std::atomic<std::uint64_t> g_seen{0};
bool g_probing = false;  // under route_netsnmp_logging's once_flag
bool g_probe_seen = false;
constexpr const char* kProbe = "netpower: route probe";

spdlog::level::level_enum level_of(int priority) {
  if (priority <= LOG_ERR) return spdlog::level::err;
  if (priority == LOG_WARNING) return spdlog::level::warn;
  if (priority == LOG_DEBUG) return spdlog::level::debug;
  return spdlog::level::info;  // NOTICE, INFO
}

// SNMP_CALLBACK_LOGGING: one snmp_log() call, `serverarg` a snmp_log_message.
int on_message(int, int, void* serverarg, void*) {
  const auto* m = static_cast<const snmp_log_message*>(serverarg);
  if (m == nullptr || m->msg == nullptr) return 0;
  std::string_view text(m->msg);
  if (g_probing && text == kProbe) {
    g_probe_seen = true;
    return 0;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return 0;
  const auto count = g_seen.fetch_add(1, std::memory_order_relaxed) + 1;
  if (should_log(count)) {
    spdlog::log(level_of(m->priority), "traps: net-snmp: {} ({} net-snmp message(s) so far)", text,
                count);
  }
  return 0;
}

}  // namespace

void route_netsnmp_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_message, nullptr);
    // A handler of every priority: with one registered, net-snmp no longer falls back to stderr.
    auto* handler = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
    if (handler == nullptr) {
      spdlog::warn("traps: cannot route net-snmp's messages; they go to stderr unlimited");
      return;
    }
    // snmp_log_string() hands a message to a handler when `priority >= pri_max` up to 5.9.4 and
    // when `priority <= pri_max` from 5.9.5 on (net-snmp commit db0f7f83b8), under the same
    // soname: ask the library in use which one passes every priority.
    g_probing = true;
    for (int pri_max : {LOG_EMERG, LOG_DEBUG}) {
      handler->pri_max = pri_max;
      snmp_log(LOG_INFO, "%s", kProbe);
      if (g_probe_seen) break;
    }
    g_probing = false;
    if (!g_probe_seen) {
      spdlog::warn("traps: net-snmp does not call the log route; its messages are lost");
    }
  });
}

std::uint64_t netsnmp_messages_seen() { return g_seen.load(std::memory_order_relaxed); }

}  // namespace netpower::manager::traps::detail
