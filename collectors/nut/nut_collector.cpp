#include "collectors/nut/nut_collector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

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
constexpr core::Duration kLogInterval = 60s;

bool valid_command_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string describe_poll_error(const NutError& error) {
  const auto& code = error.code;
  std::string text = "upsd answered " + printable(code, 40);
  if (code == "DATA-STALE") return text + ": the driver has lost contact with the UPS";
  if (code == "DRIVER-NOT-CONNECTED") return text + ": the UPS driver is not running";
  if (code == "UNKNOWN-UPS") return text + ": no such UPS in upsd's ups.conf";
  if (code == "ACCESS-DENIED") return text + ": this host may not read the UPS";
  return text;
}

void set_option(int fd, int level, int option) {
  int one = 1;
  // Best effort: a socket without them works, only slower (docs/nut.md, "Latency").
  ::setsockopt(fd, level, option, &one, sizeof one);
}

}  // namespace

NutCollector::NutCollector(NutSettings settings, core::EventLoop& loop, bool open)
    : settings_(std::move(settings)), loop_(loop), open_(open) {
  backoff_ = std::min(kFirstBackoff, settings_.reconnect_max);
  if (!open_) return;
  start_connect();
  poll_timer_ = loop_.call_after(settings_.poll_interval, [this] { poll(); });
}

NutCollector::~NutCollector() {
  for (auto timer : {poll_timer_, reconnect_timer_, connect_timer_, reply_timer_}) {
    if (timer) loop_.cancel(*timer);
  }
  while (!pending_.empty()) {
    finish(pending_.begin()->first, UpsCommandStatus::kNoResponse,
           "the nut collector was closed before upsd answered");
  }
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
  }
}

std::string NutCollector::where() const {
  return "UPS '" + settings_.ups + "' at " + settings_.host + ":" + std::to_string(settings_.port);
}

UpsReading NutCollector::read() {
  UpsReading out;
  if (!have_good_) {
    out.link = UpsLink::kLost;
    out.detail = problem_.empty() ? (open_ ? "no answer from upsd yet" : "not opened") : problem_;
    return out;
  }
  out.updated = last_good_;
  if (problem_.empty()) {
    out.link = UpsLink::kOnline;
    out.vars = vars_;
    return out;
  }
  auto silent = loop_.clock().now() - last_good_;
  if (silent >= settings_.comm_lost_after) {
    out.link = UpsLink::kLost;
    out.detail =
        problem_ + " (no good poll for " +
        core::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(silent)) + ")";
    return out;
  }
  out.link = UpsLink::kStale;
  out.detail = problem_;
  out.vars = vars_;
  return out;
}

void NutCollector::run(const UpsCommand& command, UpsCommandDone done) {
  auto post = [this, &done](UpsCommandStatus status, std::string detail) {
    loop_.call_after(core::Duration::zero(),
                     [done = std::move(done),
                      result = UpsCommandResult{status, std::move(detail)}] { done(result); });
  };
  if (!valid_command_name(command.name)) {
    return post(UpsCommandStatus::kInvalid,
                "'" + printable(command.name, 64) + "' is not an instant command name");
  }
  // max_command_delay() is 0, so the agent counts delays itself and sends none; NUT has no
  // standard argument for a delay, a restart time or a test length (INSTCMD's optional value is
  // driver-specific), so anything else is refused instead of silently ignored.
  if (command.delay && command.delay->count() != 0) {
    return post(UpsCommandStatus::kInvalid,
                command.name + ": the nut driver takes no delay (max_command_delay is 0)");
  }
  if (command.restart_after || command.duration) {
    return post(UpsCommandStatus::kInvalid,
                command.name + ": NUT instant commands take no restart time or test length");
  }
  if (!open_) return post(UpsCommandStatus::kNoResponse, "the nut collector is not opened");
  if (state_ != State::kUp) {
    return post(UpsCommandStatus::kNoResponse,
                command.name + " not sent: not connected to upsd (" +
                    (problem_.empty() ? std::string("connecting") : problem_) + ")");
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
    finish(id, UpsCommandStatus::kNoResponse,
           it->second.name + ": no result within " +
               core::format_duration(settings_.command_timeout) + " (" + state + ")");
  });
  queue(Purpose::kInstcmd, Expect::kOkOrTracking, {"INSTCMD", settings_.ups, command.name}, id);
  flush();
}

void NutCollector::start_connect() {
  reconnect_timer_.reset();
  sockaddr_storage address{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, settings_.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(settings_.port);
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, settings_.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(settings_.port);
    length = sizeof *v6;
  } else {
    return connect_failed("'" + settings_.host + "' is not a numeric address");
  }
  fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return connect_failed(std::string("socket: ") + std::strerror(errno));
  if (settings_.low_latency) set_option(fd_, IPPROTO_TCP, TCP_NODELAY);
  int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), length);
  if (rc == 0) return on_connected();
  if (errno != EINPROGRESS) return connect_failed(std::strerror(errno));
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

void NutCollector::on_connect_ready() {
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

void NutCollector::connect_failed(const std::string& why) {
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  if (connect_timer_) loop_.cancel(*connect_timer_);
  connect_timer_.reset();
  state_ = State::kDown;
  ++stats_.connect_failures;
  auto message = "cannot connect to upsd for " + where() + ": " + why;
  warn_limited(connect_log_, "nut: " + message);
  set_problem(message, /*log=*/false);
  schedule_reconnect();
}

void NutCollector::on_connected() {
  state_ = State::kUp;
  ++stats_.connects;
  splitter_.reset();
  if (settings_.low_latency) set_option(fd_, IPPROTO_TCP, TCP_QUICKACK);
  try {
    loop_.watch_readable(fd_, [this] { on_readable(); });
  } catch (const std::exception& e) {
    return drop_connection(e.what());
  }
  spdlog::info("nut: connected to upsd for {}", where());
  // One write for the whole set-up: upsd answers in order. No LOGIN: it needs "upsmon" rights and
  // tells upsd that this host draws power from the UPS, which upsmon's shutdown count relies on.
  if (!settings_.username.empty()) {
    queue(Purpose::kUsername, Expect::kOk, {"USERNAME", settings_.username});
    queue(Purpose::kPassword, Expect::kOk, {"PASSWORD", settings_.password});
    queue(Purpose::kTracking, Expect::kOk, {"SET", "TRACKING", "ON"});
  }
  send_poll();
}

void NutCollector::poll() {
  poll_timer_ = loop_.call_after(settings_.poll_interval, [this] { poll(); });
  if (state_ == State::kUp) send_poll();
}

void NutCollector::send_poll() {
  if (list_var_in_flight_) return;  // the previous poll is still being answered
  if (!commands_known_) queue(Purpose::kListCmd, Expect::kCmdList, {"LIST", "CMD", settings_.ups});
  if (queue(Purpose::kListVar, Expect::kVarList, {"LIST", "VAR", settings_.ups})) {
    list_var_in_flight_ = true;
  }
  flush();
}

bool NutCollector::queue(Purpose purpose, Expect expect, const std::vector<std::string_view>& words,
                         std::uint64_t command) {
  auto line = format_request(words);
  if (!line) return false;  // the settings and command names were checked: cannot happen
  out_ += *line;
  in_flight_.push_back(
      InFlight{purpose, ReplyReader(expect, settings_.ups), loop_.clock().now(), command});
  if (in_flight_.size() == 1) arm_reply_timer();
  return true;
}

void NutCollector::flush() {
  while (fd_ >= 0 && state_ == State::kUp && !out_.empty()) {
    auto n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (out_.size() > kMaxPendingOutput)
        return drop_connection("upsd does not read its requests");
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

void NutCollector::arm_reply_timer() {
  if (reply_timer_) loop_.cancel(*reply_timer_);
  reply_timer_.reset();
  if (in_flight_.empty()) return;
  reply_timer_ = loop_.call_at(in_flight_.front().sent + settings_.timeout, [this] {
    reply_timer_.reset();
    ++stats_.timeouts;
    drop_connection("no reply from upsd within " + core::format_duration(settings_.timeout));
  });
}

void NutCollector::on_readable() {
  if (state_ != State::kUp) return;
  char buffer[kReadChunk];
  std::size_t total = 0;
  std::vector<std::string> lines;
  while (total < kMaxReadPerEvent) {
    // Linux leaves quick-ACK mode on its own; re-arm it so that upsd, which writes a LIST reply
    // line by line with Nagle on, is never held up by our delayed ACK (docs/nut.md, "Latency").
    if (settings_.low_latency) set_option(fd_, IPPROTO_TCP, TCP_QUICKACK);
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
      return protocol_violation("a line longer than " + std::to_string(kMaxLineLength) + " bytes");
    }
  }
  flush();
}

bool NutCollector::handle_line(const std::string& line) {
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
  return on_reply(done);
}

bool NutCollector::on_reply(InFlight& done) {
  const auto& reply = done.reader.reply();
  const bool error = reply.kind == Reply::Kind::kError;
  switch (done.purpose) {
    case Purpose::kUsername:
    case Purpose::kPassword:
      if (error) {
        auth_problem_ = std::string("upsd refused ") +
                        (done.purpose == Purpose::kUsername ? "USERNAME" : "PASSWORD") + " (" +
                        printable(reply.error.code, 40) + ")";
        spdlog::warn("nut: {}: {}; instant commands will fail", where(), auth_problem_);
      }
      return true;
    case Purpose::kTracking:
      tracking_ = !error;
      if (error) {
        if (auth_problem_.empty()) {
          auth_problem_ = "upsd refused SET TRACKING ON (" + printable(reply.error.code, 40) + ")";
        }
        spdlog::warn(
            "nut: {}: upsd refused SET TRACKING ON ({}); command results will not be known",
            where(), printable(reply.error.code, 40));
      }
      return true;
    case Purpose::kListCmd:
      if (!error) {
        commands_ = reply.commands;
        std::sort(commands_.begin(), commands_.end());
        commands_.erase(std::unique(commands_.begin(), commands_.end()), commands_.end());
        commands_known_ = true;
      }
      return true;  // an ERR here comes with the LIST VAR's; LIST CMD is asked again next poll
    case Purpose::kListVar:
      on_list_var(done);
      return true;
    case Purpose::kInstcmd:
      on_instcmd_reply(done);
      return true;
    case Purpose::kGetTracking:
      on_tracking_reply(done);
      return true;
  }
  return true;
}

void NutCollector::on_list_var(const InFlight& done) {
  const auto& reply = done.reader.reply();
  auto now = loop_.clock().now();
  list_var_in_flight_ = false;
  stats_.last_poll_round_trip = now - done.sent;
  if (reply.kind == Reply::Kind::kError) {
    ++stats_.poll_errors;
    set_problem(describe_poll_error(reply.error));
    return;
  }
  UpsVars vars;
  for (const auto& [name, value] : reply.vars) vars.set(name, value);
  vars_ = std::move(vars);
  have_good_ = true;
  last_good_ = now;
  ++stats_.polls;
  backoff_ = std::min(kFirstBackoff, settings_.reconnect_max);
  set_problem("");
}

void NutCollector::on_instcmd_reply(const InFlight& done) {
  auto it = pending_.find(done.command);
  if (it == pending_.end()) return;  // already finished (command_timeout)
  auto& pending = it->second;
  const auto& reply = done.reader.reply();
  const auto& name = pending.name;
  if (reply.kind == Reply::Kind::kTrackingId) {
    pending.tracking_id = reply.text;
    pending.check_every = kFirstCheck;
    auto id = done.command;
    pending.next_check = loop_.call_after(pending.check_every, [this, id] { check_tracking(id); });
    return;
  }
  if (reply.kind == Reply::Kind::kOk) {
    return finish(done.command, UpsCommandStatus::kSuccess,
                  name + ": accepted by upsd; the driver's result is unknown (" +
                      (auth_problem_.empty() ? std::string("TRACKING is off") : auth_problem_) +
                      ")");
  }
  const auto& code = reply.error.code;
  const auto upsd = " (upsd: " + printable(code, 40) + ")";
  if (code == "CMD-NOT-SUPPORTED") {
    return finish(done.command, UpsCommandStatus::kUnsupported,
                  "UPS '" + settings_.ups + "' has no instant command " + name + upsd);
  }
  if (code == "ACCESS-DENIED") {
    std::string who = settings_.username.empty()
                          ? "no username is configured"
                          : "wrong password, or user '" + settings_.username +
                                "' lacks 'instcmds = " + name + "' (or ALL) in upsd.users";
    return finish(done.command, UpsCommandStatus::kFailed, name + " denied: " + who + upsd);
  }
  if (code == "USERNAME-REQUIRED" || code == "PASSWORD-REQUIRED") {
    return finish(done.command, UpsCommandStatus::kFailed,
                  name +
                      " refused: upsd needs a username and password for instant commands; set "
                      "username and a password in the nut settings" +
                      upsd);
  }
  if (code == "DRIVER-NOT-CONNECTED" || code == "DATA-STALE") {
    return finish(done.command, UpsCommandStatus::kNoResponse,
                  name + " not delivered: upsd cannot reach the UPS driver" + upsd);
  }
  if (code == "INVALID-ARGUMENT") {
    return finish(done.command, UpsCommandStatus::kInvalid, name + ": invalid argument" + upsd);
  }
  if (code == "INSTCMD-FAILED") {
    return finish(done.command, UpsCommandStatus::kFailed,
                  name + ": upsd could not pass the command to the driver" + upsd);
  }
  finish(done.command, UpsCommandStatus::kFailed, name + " refused" + upsd);
}

void NutCollector::check_tracking(std::uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second.next_check.reset();
  if (state_ != State::kUp) return;  // drop_connection() finishes it
  queue(Purpose::kGetTracking, Expect::kTrackingStatus, {"GET", "TRACKING", it->second.tracking_id},
        id);
  flush();
}

void NutCollector::on_tracking_reply(const InFlight& done) {
  auto it = pending_.find(done.command);
  if (it == pending_.end()) return;
  auto& pending = it->second;
  const auto& reply = done.reader.reply();
  const auto& name = pending.name;
  if (reply.kind == Reply::Kind::kPending) {
    pending.check_every = std::min(pending.check_every * 2, kMaxCheckEvery);
    auto id = done.command;
    pending.next_check = loop_.call_after(pending.check_every, [this, id] { check_tracking(id); });
    return;
  }
  if (reply.kind == Reply::Kind::kSuccess) {
    return finish(done.command, UpsCommandStatus::kSuccess,
                  name + ": the driver reports SUCCESS (tracking id " + pending.tracking_id + ")");
  }
  const auto& code = reply.error.code;
  const auto tracked = " (TRACKING: ERR " + printable(code, 40) + ")";
  if (code == "INVALID-ARGUMENT") {
    return finish(done.command, UpsCommandStatus::kInvalid,
                  name + ": the driver rejected the argument" + tracked);
  }
  if (code == "UNKNOWN") {
    return finish(done.command, UpsCommandStatus::kFailed,
                  name +
                      ": the driver did not carry it out (it does not handle the command, or "
                      "failed for an unknown reason)" +
                      tracked);
  }
  finish(done.command, UpsCommandStatus::kFailed, name + ": the driver reports failure" + tracked);
}

void NutCollector::finish(std::uint64_t id, UpsCommandStatus status, std::string detail) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  loop_.cancel(it->second.deadline);
  if (it->second.next_check) loop_.cancel(*it->second.next_check);
  auto done = std::move(it->second.done);
  pending_.erase(it);
  if (status == UpsCommandStatus::kSuccess) {
    spdlog::info("nut: {}: {}", where(), detail);
  } else {
    spdlog::warn("nut: {}: {} ({})", where(), detail, to_string(status));
  }
  loop_.call_after(core::Duration::zero(),
                   [done = std::move(done), result = UpsCommandResult{status, std::move(detail)}] {
                     done(result);
                   });
}

void NutCollector::protocol_violation(const std::string& what) {
  ++stats_.protocol_errors;
  drop_connection("protocol error from upsd: " + what);
}

void NutCollector::drop_connection(const std::string& why) {
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  for (auto* timer : {&reply_timer_, &connect_timer_}) {
    if (*timer) loop_.cancel(**timer);
    timer->reset();
  }
  const bool was_up = state_ == State::kUp;
  state_ = State::kDown;
  watching_writable_ = false;
  out_.clear();
  in_flight_.clear();
  splitter_.reset();
  list_var_in_flight_ = false;
  commands_known_ = false;  // asked again on the next session; commands_ stays meanwhile
  tracking_ = false;
  auth_problem_.clear();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, _] : pending_) ids.push_back(id);
  for (auto id : ids) {
    auto& pending = pending_[id];
    std::string state = pending.tracking_id.empty() ? "before upsd answered"
                                                    : "while tracking id " + pending.tracking_id +
                                                          " was PENDING; the command may still run";
    finish(id, UpsCommandStatus::kNoResponse,
           pending.name + ": connection to upsd lost " + state + " (" + why + ")");
  }
  if (was_up) warn_limited(drop_log_, "nut: " + where() + ": connection dropped: " + why);
  set_problem(why, /*log=*/false);
  schedule_reconnect();
}

void NutCollector::schedule_reconnect() {
  if (reconnect_timer_) return;
  auto delay = backoff_;
  backoff_ = std::min(backoff_ * 2, settings_.reconnect_max);
  reconnect_timer_ = loop_.call_after(delay, [this] { start_connect(); });
}

void NutCollector::set_problem(std::string problem, bool log) {
  if (problem == problem_) return;
  if (problem.empty()) {
    spdlog::info("nut: {}: data flowing again", where());
  } else if (problem_.empty() && log) {
    spdlog::warn("nut: {}: {}", where(), problem);
  }
  problem_ = std::move(problem);
}

void NutCollector::warn_limited(LogLimit& limit, const std::string& message) {
  auto now = loop_.clock().now();
  if (limit.last && now - *limit.last < kLogInterval) {
    ++limit.held;
    return;
  }
  if (limit.held > 0) {
    spdlog::warn("{} ({} similar message(s) held back)", message, limit.held);
  } else {
    spdlog::warn("{}", message);
  }
  limit.last = now;
  limit.held = 0;
}

UpsCollectorPtr make_nut_collector(const YAML::Node& settings, DriverContext context) {
  return std::make_unique<NutCollector>(parse_nut_settings(settings, context.file), context.loop,
                                        context.open);
}

}  // namespace netpower::collectors::nut
