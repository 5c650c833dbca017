#pragma once
// The "nut" UPS driver: a client of a Network UPS Tools server (upsd) that polls one UPS with
// LIST VAR and runs instant commands with INSTCMD, following their results through NUT's
// TRACKING. Non-blocking TCP on the agent's loop; see docs/nut.md for settings and behaviour.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/driver_context.h"
#include "collectors/nut/nut_protocol.h"
#include "collectors/nut/nut_settings.h"
#include "collectors/ups.h"
#include "core/event_loop.h"

namespace netpower::collectors::nut {

// What the collector has seen, for tests, logs and measurements.
struct NutStats {
  std::uint64_t connects = 0;             // TCP sessions established
  std::uint64_t connect_failures = 0;     // refused, unreachable or timed-out connects
  std::uint64_t polls = 0;                // LIST VAR answered with the list
  std::uint64_t poll_errors = 0;          // LIST VAR answered with ERR (DATA-STALE, ...)
  std::uint64_t protocol_errors = 0;      // malformed or unexpected replies (connection dropped)
  std::uint64_t timeouts = 0;             // replies missing after `timeout` (connection dropped)
  core::Duration last_poll_round_trip{};  // LIST VAR sent -> END LIST VAR received
};

class NutCollector final : public UpsCollector {
 public:
  // Starts connecting at once when `open`; otherwise holds the settings only (read() says lost,
  // run() answers kNoResponse). `loop` must outlive the collector.
  NutCollector(NutSettings settings, core::EventLoop& loop, bool open = true);
  // Closes the connection; commands still waiting get kNoResponse (posted on the loop).
  ~NutCollector() override;
  NutCollector(const NutCollector&) = delete;
  NutCollector& operator=(const NutCollector&) = delete;

  std::string name() const override { return "nut"; }
  UpsReading read() override;
  std::vector<std::string> commands() const override { return commands_; }
  // upsd has no portable delayed command: the agent counts every delay.
  std::chrono::seconds max_command_delay() const override { return std::chrono::seconds(0); }
  void run(const UpsCommand& command, UpsCommandDone done) override;

  const NutSettings& settings() const { return settings_; }
  const NutStats& stats() const { return stats_; }
  // Whether a TCP session with upsd is up right now.
  bool connected() const { return state_ == State::kUp; }

 private:
  enum class State { kDown, kConnecting, kUp };
  enum class Purpose {
    kUsername,
    kPassword,
    kTracking,
    kListCmd,
    kListVar,
    kInstcmd,
    kGetTracking
  };

  // A request sent and not yet fully answered; upsd answers in order.
  struct InFlight {
    Purpose purpose;
    ReplyReader reader;
    core::TimePoint sent;
    std::uint64_t command = 0;  // kInstcmd / kGetTracking: the command it belongs to
  };

  struct PendingCommand {
    std::string name;
    UpsCommandDone done;
    std::string tracking_id;
    core::TimerId deadline{};
    std::optional<core::TimerId> next_check;
    core::Duration check_every{};
  };

  // Rate limit for repeated warnings: one per interval, with the count of those held back.
  struct LogLimit {
    std::optional<core::TimePoint> last;
    std::uint64_t held = 0;
  };

  void start_connect();
  void on_connect_ready();
  void connect_failed(const std::string& why);
  void on_connected();
  void on_readable();
  // false once the connection was dropped while handling the line.
  bool handle_line(const std::string& line);
  bool on_reply(InFlight& done);
  void on_list_var(const InFlight& done);
  void on_instcmd_reply(const InFlight& done);
  void on_tracking_reply(const InFlight& done);
  void drop_connection(const std::string& why);
  void protocol_violation(const std::string& what);
  void schedule_reconnect();
  void poll();
  void send_poll();
  bool queue(Purpose purpose, Expect expect, const std::vector<std::string_view>& words,
             std::uint64_t command = 0);
  void flush();
  void arm_reply_timer();
  void check_tracking(std::uint64_t id);
  void finish(std::uint64_t id, UpsCommandStatus status, std::string detail);
  // Records why polls fail ("" once they succeed again); logs changes when `log` (callers that
  // log the cause themselves, rate-limited, pass false).
  void set_problem(std::string problem, bool log = true);
  void warn_limited(LogLimit& limit, const std::string& message);
  std::string where() const;

  NutSettings settings_;
  core::EventLoop& loop_;
  bool open_;

  State state_ = State::kDown;
  int fd_ = -1;
  bool watching_writable_ = false;
  std::string out_;
  LineSplitter splitter_;
  std::deque<InFlight> in_flight_;
  std::optional<core::TimerId> poll_timer_, reconnect_timer_, connect_timer_, reply_timer_;
  core::Duration backoff_{};
  bool list_var_in_flight_ = false;
  bool commands_known_ = false;
  bool tracking_ = false;
  std::string auth_problem_;  // why upsd refused USERNAME/PASSWORD/SET TRACKING, if it did

  UpsVars vars_;
  bool have_good_ = false;
  core::TimePoint last_good_{};
  std::string problem_;  // why the last poll failed; empty while polls succeed
  std::vector<std::string> commands_;

  std::map<std::uint64_t, PendingCommand> pending_;
  std::uint64_t next_command_ = 1;
  NutStats stats_;
  LogLimit connect_log_, drop_log_;
};

// The driver factory: reads `settings` (see docs/nut.md) and, when context.open, starts
// connecting on context.loop. Throws core::ConfigError for bad settings.
UpsCollectorPtr make_nut_collector(const YAML::Node& settings, DriverContext context);

}  // namespace netpower::collectors::nut
