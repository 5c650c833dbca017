#include "collectors/nut/nut_collector.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "collectors/nut/nut_protocol.h"
#include "collectors/nut/nut_results.h"
#include "collectors/nut/nut_socket.h"
#include "core/duration.h"

namespace netpower::collectors::nut {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t kReadChunk = 16 * 1024;
// Bytes read per readiness event, so that a flood cannot starve the loop.
constexpr std::size_t kMaxReadPerEvent = 256 * 1024;
// Requests are a few dozen bytes; more than this waiting means upsd stopped reading.
constexpr std::size_t kMaxPendingOutput = 64 * 1024;
constexpr core::Duration kFirstBackoff = 500ms;
// GET TRACKING: first after this, then twice as long each time up to kMaxCheckEvery. Drivers
// answer within milliseconds to a second or two.
constexpr core::Duration kFirstCheck = 50ms;
constexpr core::Duration kMaxCheckEvery = 1s;

void post(core::EventLoop& loop, UpsCommandDone done, UpsCommandResult result) {
  loop.call_after(core::Duration::zero(),
                  [done = std::move(done), result = std::move(result)] { done(result); });
}

}  // namespace

namespace detail {

class NutDriver final : public UpsDriver {
 public:
  NutDriver(const NutSettings& settings, UpsDriverHost& host)
      : settings_(settings), host_(host), loop_(host.loop()) {}

  ~NutDriver() override {
    close_socket();
    while (!pending_.empty()) {
      finish(pending_.begin()->first,
             {UpsCommandStatus::kNoResponse, "the nut collector was closed before upsd answered"});
    }
  }

  NutDriver(const NutDriver&) = delete;
  NutDriver& operator=(const NutDriver&) = delete;

  std::string name() const override { return "nut"; }
  std::string where() const override {
    return "UPS '" + settings_.ups + "' at " + settings_.host + ":" +
           std::to_string(settings_.port);
  }
  std::vector<std::string> commands() const override { return commands_; }
  std::chrono::seconds max_command_delay() const override { return 0s; }
  const NutStats& stats() const { return stats_; }
  bool connected() const { return state_ == State::kUp; }

  void open() override {
    auto connecting = start_connect(settings_.host, settings_.port, settings_.low_latency);
    fd_ = connecting.fd;
    if (fd_ < 0) return connect_failed(connecting.error);
    if (!connecting.in_progress) return on_connected();
    state_ = State::kConnecting;
    try {
      loop_.watch_writable(fd_, [this] { on_connect_ready(); });
    } catch (const std::exception& e) {
      return connect_failed(e.what());
    }
    connect_timer_ = loop_.call_after(settings_.timeout, [this] {
      connect_timer_.reset();
      connect_failed("no answer within " + core::format_duration(settings_.timeout));
    });
  }

  // One poll: LIST VAR (and LIST CMD until upsd has answered it), unless one is being answered.
  void update() override {
    if (state_ != State::kUp || list_var_in_flight_) return;
    if (!commands_known_)
      queue(Purpose::kListCmd, Expect::kCmdList, {"LIST", "CMD", settings_.ups});
    if (queue(Purpose::kListVar, Expect::kVarList, {"LIST", "VAR", settings_.ups})) {
      list_var_in_flight_ = true;
    }
    flush();
  }

  void run(const UpsCommand& command, UpsCommandDone done) override {
    if (auto refused = check_command(command)) return post(loop_, std::move(done), *refused);
    if (state_ != State::kUp) {
      return post(loop_, std::move(done),
                  {UpsCommandStatus::kNoResponse,
                   command.name + " not sent: not connected to upsd (" +
                       (down_reason_.empty() ? std::string("connecting") : down_reason_) + ")"});
    }
    auto id = next_command_++;
    auto& pending = pending_[id];
    pending.name = command.name;
    pending.done = std::move(done);
    pending.deadline = loop_.call_after(settings_.command_timeout, [this, id] {
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      std::string state = it->second.tracking_id.empty()
                              ? "upsd did not accept it"
                              : "tracking id " + it->second.tracking_id + " still PENDING";
      finish(id, {UpsCommandStatus::kNoResponse,
                  it->second.name + ": no result within " +
                      core::format_duration(settings_.command_timeout) + " (" + state + ")"});
    });
    queue(Purpose::kInstcmd, Expect::kOkOrTracking, {"INSTCMD", settings_.ups, command.name}, id);
    flush();
  }

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

  void on_connect_ready() {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    if (error == EINPROGRESS) return;  // spurious wake-up
    loop_.unwatch_writable(fd_);
    if (connect_timer_) loop_.cancel(*connect_timer_);
    connect_timer_.reset();
    if (error != 0) return connect_failed(std::strerror(error));
    on_connected();
  }

  void connect_failed(const std::string& why) {
    close_socket();
    ++stats_.connect_failures;
    down_reason_ = "cannot connect to upsd for " + where() + ": " + why;
    host_.device_failed(down_reason_);
  }

  void on_connected() {
    state_ = State::kUp;
    ++stats_.connects;
    down_reason_.clear();
    splitter_.reset();
    if (settings_.low_latency) enable_option(fd_, IPPROTO_TCP, TCP_QUICKACK);
    try {
      loop_.watch_readable(fd_, [this] { on_readable(); });
    } catch (const std::exception& e) {
      return drop_connection(e.what());
    }
    spdlog::info("nut: connected to upsd for {}", where());
    // One write for the whole set-up (the framework's first update() adds the polls and sends):
    // upsd answers in order. No LOGIN: it needs "upsmon" rights and tells upsd that this host
    // draws power from the UPS, which upsmon's shutdown count relies on.
    if (!settings_.username.empty()) {
      queue(Purpose::kUsername, Expect::kOk, {"USERNAME", settings_.username});
      queue(Purpose::kPassword, Expect::kOk, {"PASSWORD", settings_.password});
      queue(Purpose::kTracking, Expect::kOk, {"SET", "TRACKING", "ON"});
    }
    host_.opened();
  }

  bool queue(Purpose purpose, Expect expect, const std::vector<std::string_view>& words,
             std::uint64_t command = 0) {
    auto line = format_request(words);
    if (!line) return false;  // the settings and command names were checked: cannot happen
    out_ += *line;
    in_flight_.push_back(
        InFlight{purpose, ReplyReader(expect, settings_.ups), loop_.clock().now(), command});
    if (in_flight_.size() == 1) arm_reply_timer();
    return true;
  }

  void flush() {
    while (fd_ >= 0 && state_ == State::kUp && !out_.empty()) {
      auto n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        out_.erase(0, static_cast<std::size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (out_.size() > kMaxPendingOutput) {
          return drop_connection("upsd does not read its requests");
        }
        if (!watching_writable_) {
          loop_.watch_writable(fd_, [this] { flush(); });
          watching_writable_ = true;
        }
        return;
      } else {
        return drop_connection(std::string("send to upsd failed: ") + std::strerror(errno));
      }
    }
    if (watching_writable_ && fd_ >= 0) loop_.unwatch_writable(fd_);
    watching_writable_ = false;
  }

  void arm_reply_timer() {
    if (reply_timer_) loop_.cancel(*reply_timer_);
    reply_timer_.reset();
    if (in_flight_.empty()) return;
    reply_timer_ = loop_.call_at(in_flight_.front().sent + settings_.timeout, [this] {
      reply_timer_.reset();
      ++stats_.timeouts;
      drop_connection("no reply from upsd within " + core::format_duration(settings_.timeout));
    });
  }

  void on_readable() {
    if (state_ != State::kUp) return;
    char buffer[kReadChunk];
    std::size_t total = 0;
    std::vector<std::string> lines;
    while (total < kMaxReadPerEvent) {
      // Linux leaves quick-ACK mode on its own; re-arm it so that upsd, which writes a LIST
      // reply line by line with Nagle on, is never held up by our delayed ACK (docs/nut.md).
      if (settings_.low_latency) enable_option(fd_, IPPROTO_TCP, TCP_QUICKACK);
      auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        return drop_connection(n == 0 ? "upsd closed the connection"
                                      : std::string("receive failed: ") + std::strerror(errno));
      }
      total += static_cast<std::size_t>(n);
      lines.clear();
      bool ok = splitter_.feed(std::string_view(buffer, static_cast<std::size_t>(n)), lines);
      for (const auto& line : lines) {
        if (!handle_line(line)) return;
      }
      if (!ok) {
        return protocol_violation("a line longer than " + std::to_string(kMaxLineLength) +
                                  " bytes");
      }
    }
    flush();
  }

  // false once the connection was dropped while handling the line.
  bool handle_line(const std::string& line) {
    if (in_flight_.empty()) {
      protocol_violation("a line nobody asked for: '" + printable(line) + "'");
      return false;
    }
    auto& front = in_flight_.front();
    switch (front.reader.feed(line)) {
      case ReplyReader::Step::kNeedMore:
        return true;
      case ReplyReader::Step::kBad:
        protocol_violation(front.reader.error());
        return false;
      case ReplyReader::Step::kDone:
        break;
    }
    InFlight done = std::move(front);
    in_flight_.pop_front();
    arm_reply_timer();
    on_reply(done);
    return true;
  }

  void on_reply(InFlight& done) {
    const auto& reply = done.reader.reply();
    const bool error = reply.kind == Reply::Kind::kError;
    const auto code = printable(reply.error.code, 40);
    switch (done.purpose) {
      case Purpose::kUsername:
      case Purpose::kPassword:
        if (!error) return;
        auth_problem_ = std::string("upsd refused ") +
                        (done.purpose == Purpose::kUsername ? "USERNAME" : "PASSWORD") + " (" +
                        code + ")";
        spdlog::warn("nut: {}: {}; instant commands will fail", where(), auth_problem_);
        return;
      case Purpose::kTracking:
        if (!error) return;
        if (auth_problem_.empty()) auth_problem_ = "upsd refused SET TRACKING ON (" + code + ")";
        spdlog::warn(
            "nut: {}: upsd refused SET TRACKING ON ({}); command results will not be known",
            where(), code);
        return;
      case Purpose::kListCmd:
        // An ERR here comes with the LIST VAR's; LIST CMD is asked again next poll.
        if (error) return;
        commands_ = reply.commands;
        std::sort(commands_.begin(), commands_.end());
        commands_.erase(std::unique(commands_.begin(), commands_.end()), commands_.end());
        commands_known_ = true;
        return;
      case Purpose::kListVar:
        return on_list_var(done);
      case Purpose::kInstcmd:
        return on_instcmd_reply(done);
      case Purpose::kGetTracking:
        return on_tracking_reply(done);
    }
  }

  void on_list_var(const InFlight& done) {
    const auto& reply = done.reader.reply();
    list_var_in_flight_ = false;
    stats_.last_poll_round_trip = loop_.clock().now() - done.sent;
    if (reply.kind == Reply::Kind::kError) {
      ++stats_.poll_errors;
      return host_.data_failed(describe_poll_error(reply.error));
    }
    UpsVars vars;
    for (const auto& [name, value] : reply.vars) vars.set(name, value);
    ++stats_.polls;
    host_.data_ok(std::move(vars));
  }

  void on_instcmd_reply(const InFlight& done) {
    auto it = pending_.find(done.command);
    if (it == pending_.end()) return;  // already finished (command_timeout)
    auto& pending = it->second;
    const auto& reply = done.reader.reply();
    if (reply.kind == Reply::Kind::kTrackingId) {
      pending.tracking_id = reply.text;
      pending.check_every = kFirstCheck;
      schedule_check(done.command, pending);
    } else if (reply.kind == Reply::Kind::kOk) {
      finish(done.command,
             {UpsCommandStatus::kSuccess,
              pending.name + ": accepted by upsd; the driver's result is unknown (" +
                  (auth_problem_.empty() ? std::string("TRACKING is off") : auth_problem_) + ")"});
    } else {
      finish(done.command,
             instcmd_error(reply.error, pending.name, settings_.ups, settings_.username));
    }
  }

  void schedule_check(std::uint64_t id, PendingCommand& pending) {
    pending.next_check = loop_.call_after(pending.check_every, [this, id] {
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      it->second.next_check.reset();
      if (state_ != State::kUp) return;  // drop_connection() finishes it
      queue(Purpose::kGetTracking, Expect::kTrackingStatus,
            {"GET", "TRACKING", it->second.tracking_id}, id);
      flush();
    });
  }

  void on_tracking_reply(const InFlight& done) {
    auto it = pending_.find(done.command);
    if (it == pending_.end()) return;
    auto& pending = it->second;
    const auto& reply = done.reader.reply();
    if (reply.kind == Reply::Kind::kPending) {
      pending.check_every = std::min(pending.check_every * 2, kMaxCheckEvery);
      schedule_check(done.command, pending);
    } else if (reply.kind == Reply::Kind::kSuccess) {
      finish(done.command, {UpsCommandStatus::kSuccess,
                            pending.name + ": the driver reports SUCCESS (tracking id " +
                                pending.tracking_id + ")"});
    } else {
      finish(done.command, tracking_error(reply.error, pending.name));
    }
  }

  void finish(std::uint64_t id, UpsCommandResult result) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    loop_.cancel(it->second.deadline);
    if (it->second.next_check) loop_.cancel(*it->second.next_check);
    auto done = std::move(it->second.done);
    pending_.erase(it);
    if (result.ok()) {
      spdlog::info("nut: {}: {}", where(), result.detail);
    } else {
      spdlog::warn("nut: {}: {} ({})", where(), result.detail, to_string(result.status));
    }
    post(loop_, std::move(done), std::move(result));
  }

  void protocol_violation(const std::string& what) {
    ++stats_.protocol_errors;
    drop_connection("protocol error from upsd: " + what);
  }

  void close_socket() {
    if (fd_ >= 0) {
      loop_.unwatch(fd_);
      ::close(fd_);
      fd_ = -1;
    }
    for (auto* timer : {&reply_timer_, &connect_timer_}) {
      if (*timer) loop_.cancel(**timer);
      timer->reset();
    }
    state_ = State::kDown;
  }

  void drop_connection(const std::string& why) {
    close_socket();
    watching_writable_ = false;
    out_.clear();
    in_flight_.clear();
    splitter_.reset();
    list_var_in_flight_ = false;
    commands_known_ = false;  // asked again on the next session; commands_ stays meanwhile
    auth_problem_.clear();
    std::vector<std::uint64_t> ids;
    for (const auto& [id, _] : pending_) ids.push_back(id);
    for (auto id : ids) {
      auto& pending = pending_[id];
      std::string state = pending.tracking_id.empty()
                              ? "before upsd answered"
                              : "while tracking id " + pending.tracking_id +
                                    " was PENDING; the command may still run";
      finish(id, {UpsCommandStatus::kNoResponse,
                  pending.name + ": connection to upsd lost " + state + " (" + why + ")"});
    }
    down_reason_ = why;
    host_.device_failed("connection dropped: " + why);
  }

  const NutSettings& settings_;
  UpsDriverHost& host_;
  core::EventLoop& loop_;

  State state_ = State::kDown;
  int fd_ = -1;
  bool watching_writable_ = false;
  std::string out_;
  LineSplitter splitter_;
  std::deque<InFlight> in_flight_;
  std::optional<core::TimerId> connect_timer_, reply_timer_;
  bool list_var_in_flight_ = false;
  bool commands_known_ = false;
  std::string auth_problem_;  // why upsd refused USERNAME/PASSWORD/SET TRACKING, if it did
  std::string down_reason_;   // why the connection is down; empty while up or connecting
  std::vector<std::string> commands_;

  std::map<std::uint64_t, PendingCommand> pending_;
  std::uint64_t next_command_ = 1;
  NutStats stats_;
};

}  // namespace detail

namespace {

UpsDriverPolicy policy(const NutSettings& s) {
  UpsDriverPolicy p;
  p.poll_interval = s.poll_interval;
  // A failed poll is reported at once; the clock only catches one that takes a whole extra
  // poll beyond its timeout.
  p.lost_after = s.comm_lost_after;
  p.stale_after =
      s.stale_after.value_or(std::min(2 * s.poll_interval + s.timeout, s.comm_lost_after));
  p.reopen_first = kFirstBackoff;
  p.reopen_max = s.reconnect_max;
  // A flapping upsd is noisy: the first of each kind, then one in 30.
  p.log_first = 1;
  return p;
}

}  // namespace

NutCollector::NutCollector(NutSettings settings, core::EventLoop& loop, bool open)
    : settings_(std::move(settings)) {
  runner_ = std::make_unique<UpsDriverRunner>(
      loop, policy(settings_),
      [this](UpsDriverHost& host) {
        auto driver = std::make_unique<detail::NutDriver>(settings_, host);
        driver_ = driver.get();
        return driver;
      },
      open);
}

NutCollector::~NutCollector() = default;

void NutCollector::run(const UpsCommand& command, UpsCommandDone done) {
  runner_->run(command, std::move(done));
}

const NutStats& NutCollector::stats() const { return driver_->stats(); }
bool NutCollector::connected() const { return driver_->connected(); }

UpsCollectorPtr make_nut_collector(const YAML::Node& settings, DriverContext context) {
  return std::make_unique<NutCollector>(parse_nut_settings(settings, context.file), context.loop,
                                        context.open);
}

}  // namespace netpower::collectors::nut
