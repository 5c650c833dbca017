#include "collectors/megatec/megatec_collector.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "collectors/megatec/megatec_protocol.h"
#include "collectors/megatec/serial_line.h"
#include "collectors/ups_driver.h"
#include "core/duration.h"

namespace netpower::collectors::megatec {

namespace {

using std::chrono::seconds;

constexpr std::size_t kReadChunk = 512;
// Bytes read per readiness event: a babbling line must not starve the loop.
constexpr std::size_t kMaxReadPerEvent = 16 * 1024;
// Commands waiting for their turn; more are refused (the agent never needs that many).
constexpr std::size_t kMaxQueuedCommands = 16;

enum class Kind { kStatus, kRating, kInfo, kCommand };

const char* query_name(Kind kind) {
  switch (kind) {
    case Kind::kStatus:
      return "Q1";
    case Kind::kRating:
      return "F";
    case Kind::kInfo:
      return "I";
    case Kind::kCommand:
      break;
  }
  return "command";
}

struct Request {
  Kind kind = Kind::kStatus;
  std::string bytes;  // what goes on the wire, '\r' included
  UpsCommandDone done;
  std::optional<bool> beeper_target;  // beeper.enable/disable: Q only when the state differs
  bool written = false;               // every byte is out
};

Request query(Kind kind, std::string_view bytes) {
  Request r;
  r.kind = kind;
  r.bytes = bytes;
  return r;
}

std::string errno_text(int error) { return std::strerror(error); }

// The driver proper: the serial line, one request in flight, and what Q1/F/I replies mean. The
// framework (UpsDriverRunner) schedules it, tracks the link and reopens the port.
class MegatecDriver final : public UpsDriver {
 public:
  MegatecDriver(const MegatecSettings& settings, UpsDriverHost& host)
      : settings_(settings),
        host_(host),
        loop_(host.loop()),
        battery_({settings.battery_packs, settings.battery_voltage_nominal,
                  settings.battery_voltage_low, settings.battery_voltage_high, settings.runtime}) {}

  ~MegatecDriver() override {
    fail_commands("the driver stopped");
    close_device();
  }

  MegatecDriver(const MegatecDriver&) = delete;
  MegatecDriver& operator=(const MegatecDriver&) = delete;

  std::string name() const override { return "megatec"; }
  std::string where() const override { return settings_.device; }
  std::vector<std::string> commands() const override { return command_names(); }
  seconds max_command_delay() const override { return kMaxShutdownDelay; }

  const MegatecCounters& counters() const { return counters_; }
  bool device_open() const { return fd_ >= 0; }

  void open() override {
    std::string problem;
    int fd = open_serial(settings_.device, problem);
    if (fd < 0) {
      ++counters_.open_failures;
      return host_.device_failed(problem);
    }
    fd_ = fd;
    loop_.watch_readable(fd_, [this] { on_readable(); });
    ++counters_.opens;
    spdlog::info("megatec: opened {}", settings_.device);
    // Ask the ratings and identity again: the UPS behind the port may have changed.
    rating_done_ = !settings_.rating;
    ident_done_ = !settings_.ident;
    static_vars_ = UpsVars{};
    rated_current_.reset();
    battery_.reset();
    host_.opened();
  }

  void update() override {
    if (!rating_done_ && !pending(Kind::kRating)) {
      queue_.push_back(query(Kind::kRating, kQueryRating));
    }
    if (!ident_done_ && !pending(Kind::kInfo)) queue_.push_back(query(Kind::kInfo, kQueryInfo));
    if (!pending(Kind::kStatus)) queue_.push_back(query(Kind::kStatus, kQueryStatus));
    send_next();
  }

  void run(const UpsCommand& command, UpsCommandDone done) override {
    auto encoded = encode_command(command);
    Request request;
    request.kind = Kind::kCommand;
    request.bytes = encoded.bytes;
    request.beeper_target = encoded.beeper_target;
    request.done = std::move(done);
    if (encoded.status != UpsCommandStatus::kSuccess) {
      return finish(request, {encoded.status, encoded.detail});
    }
    if (fd_ < 0 || host_.link() == UpsLink::kLost) {
      return finish(request, {UpsCommandStatus::kNoResponse,
                              "the UPS on " + settings_.device + " is not answering"});
    }
    auto commands = std::count_if(queue_.begin(), queue_.end(),
                                  [](const Request& r) { return r.kind == Kind::kCommand; });
    if (static_cast<std::size_t>(commands) >= kMaxQueuedCommands) {
      return finish(request, {UpsCommandStatus::kFailed, "too many commands waiting"});
    }
    // Commands go before the queries that wait.
    auto at = queue_.begin();
    while (at != queue_.end() && at->kind == Kind::kCommand) ++at;
    queue_.insert(at, std::move(request));
    send_next();
  }

 private:
  bool pending(Kind kind) const {
    if (in_flight_ && in_flight_->kind == kind) return true;
    return std::any_of(queue_.begin(), queue_.end(),
                       [kind](const Request& r) { return r.kind == kind; });
  }

  // `done` runs later on the loop, never inside the caller; the lambda does not touch `this`.
  void finish(Request& request, UpsCommandResult result) {
    if (!request.done) return;
    if (result.detail.empty()) result.detail = printable(request.bytes);
    loop_.call_after(core::Duration::zero(),
                     [done = std::move(request.done), result] { done(result); });
    request.done = nullptr;
  }

  void fail_commands(const std::string& why) {
    if (in_flight_ && in_flight_->kind == Kind::kCommand) {
      finish(*in_flight_, {UpsCommandStatus::kNoResponse, why});
    }
    for (auto& r : queue_) finish(r, {UpsCommandStatus::kNoResponse, why});
    queue_.clear();
    in_flight_.reset();
  }

  // --- The device

  void close_device() {
    if (reply_timer_) loop_.cancel(*reply_timer_);
    reply_timer_.reset();
    if (fd_ >= 0) {
      loop_.unwatch(fd_);
      ::close(fd_);
    }
    fd_ = -1;
    writable_watched_ = false;
    out_.clear();
    splitter_.clear();
  }

  void device_lost(const std::string& why) {
    ++counters_.device_lost;
    close_device();
    fail_commands("the device failed: " + why);
    host_.device_failed("the device failed: " + why);
  }

  void on_readable() {
    if (!read_input()) return;
    while (auto line = splitter_.next()) {
      handle_line(*line);
      if (fd_ < 0) return;
    }
  }

  // Reads what is there into the splitter; false when the device failed (and was closed).
  bool read_input() {
    char buffer[kReadChunk];
    std::size_t total = 0;
    while (total < kMaxReadPerEvent) {
      auto n = ::read(fd_, buffer, sizeof buffer);
      if (n > 0) {
        total += static_cast<std::size_t>(n);
        splitter_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      device_lost(n == 0 ? "hang-up" : "read failed: " + errno_text(errno));
      return false;
    }
    if (splitter_.overlong() != overlong_seen_) {
      counters_.overlong_lines += splitter_.overlong() - overlong_seen_;
      overlong_seen_ = splitter_.overlong();
      host_.warn(garbage_log_, "discarded a line longer than " +
                                   std::to_string(LineSplitter::kMaxLine) + " bytes");
    }
    return true;
  }

  // --- Requests

  void send_next() {
    while (!in_flight_ && fd_ >= 0 && !queue_.empty()) {
      // Whatever came in since the last request answers nothing: drop it.
      if (!read_input()) return;
      while (auto line = splitter_.next()) unsolicited(*line);
      splitter_.clear();

      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      auto& request = *in_flight_;
      if (request.beeper_target) {
        if (!beeper_ || *beeper_ == *request.beeper_target) {
          finish(request, beeper_ ? UpsCommandResult{UpsCommandStatus::kSuccess,
                                                     std::string("the beeper is already ") +
                                                         (*beeper_ ? "enabled" : "disabled")}
                                  : UpsCommandResult{UpsCommandStatus::kFailed,
                                                     "the beeper state is not known yet"});
          in_flight_.reset();
          continue;
        }
      }
      if (request.kind != Kind::kCommand) ++counters_.requests;
      out_ = request.bytes;
      reply_timer_ = loop_.call_after(settings_.reply_timeout, [this] { on_reply_timeout(); });
      flush_output();
    }
  }

  void flush_output() {
    while (!out_.empty()) {
      auto n = ::write(fd_, out_.data(), out_.size());
      if (n > 0) {
        out_.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!writable_watched_) {
          loop_.watch_writable(fd_, [this] { flush_output(); });
          writable_watched_ = true;
        }
        return;
      }
      return device_lost("write failed: " + errno_text(n < 0 ? errno : EIO));
    }
    if (writable_watched_) {
      loop_.unwatch_writable(fd_);
      writable_watched_ = false;
    }
    if (in_flight_ && in_flight_->kind == Kind::kCommand && !in_flight_->written) {
      in_flight_->written = true;
      ++counters_.commands_sent;
      const auto& bytes = in_flight_->bytes;
      test_.sent(bytes);
      // Until the next Q1 tells, assume the toggle took (beeper.enable/disable read it).
      if (bytes == kBeeperToggle && beeper_) beeper_ = !*beeper_;
    }
  }

  void complete_request() {
    if (reply_timer_) loop_.cancel(*reply_timer_);
    reply_timer_.reset();
    in_flight_.reset();
    send_next();
  }

  void on_reply_timeout() {
    reply_timer_.reset();
    if (!in_flight_) return;
    auto& request = *in_flight_;
    if (!out_.empty()) {
      return device_lost("the port did not take " + printable(request.bytes) + " within " +
                         core::format_duration(settings_.reply_timeout));
    }
    if (request.kind == Kind::kCommand) {
      // Megatec UPSes answer only commands they refuse (by echoing them).
      finish(request, {UpsCommandStatus::kSuccess, "sent " + printable(request.bytes)});
    } else {
      ++counters_.timeouts;
      std::string why = std::string("no answer to ") + query_name(request.kind) + " within " +
                        core::format_duration(settings_.reply_timeout);
      if (request.kind == Kind::kStatus) {
        host_.data_failed(why);
      } else {
        host_.warn(timeout_log_, why);
      }
    }
    in_flight_.reset();
    send_next();
  }

  void unsolicited(const std::string& line) {
    ++counters_.unsolicited;
    host_.warn(unsolicited_log_, "ignored a line nobody asked for: '" + printable(line) + "'");
  }

  template <typename T>
  void bad_reply(const Parsed<T>& parsed, Kind kind) {
    if (parsed.error == ParseError::kShort) {
      ++counters_.short_replies;
    } else {
      ++counters_.garbage;
    }
    if (kind == Kind::kStatus) {
      host_.data_failed(parsed.detail);
    } else {
      host_.warn(garbage_log_, parsed.detail);
    }
  }

  void handle_line(const std::string& line) {
    if (!in_flight_) return unsolicited(line);
    auto& request = *in_flight_;
    switch (request.kind) {
      case Kind::kStatus: {
        auto parsed = parse_q1(line);
        if (parsed) {
          on_status(*parsed.value);
        } else {
          bad_reply(parsed, request.kind);
        }
        break;
      }
      case Kind::kRating: {
        auto parsed = parse_f(line);
        if (!parsed) {
          bad_reply(parsed, request.kind);
          break;
        }
        ++counters_.good_replies;
        rating_done_ = true;
        rated_current_ = parsed.value->current;
        battery_.set_rated_voltage(parsed.value->battery_voltage);
        publish_f(*parsed.value, static_vars_);
        break;
      }
      case Kind::kInfo: {
        auto parsed = parse_i(line);
        if (!parsed) {
          bad_reply(parsed, request.kind);
          break;
        }
        ++counters_.good_replies;
        ident_done_ = true;
        publish_i(*parsed.value, static_vars_);
        break;
      }
      case Kind::kCommand:
        on_command_reply(request, line);
        break;
    }
    complete_request();
  }

  void on_command_reply(Request& request, const std::string& line) {
    std::string_view sent(request.bytes);
    sent.remove_suffix(1);
    const auto what = printable(request.bytes);
    if (line == sent) {
      ++counters_.commands_refused;
      finish(request, {UpsCommandStatus::kFailed, "the UPS echoed " + what + " back: refused"});
    } else if (line == "ACK" || line == "(ACK") {
      finish(request, {UpsCommandStatus::kSuccess, what + ": ACK"});
    } else if (line == "NAK" || line == "(NAK") {
      ++counters_.commands_refused;
      finish(request, {UpsCommandStatus::kFailed, what + ": NAK"});
    } else {
      ++counters_.garbage;
      finish(request, {UpsCommandStatus::kSuccess,
                       "sent " + what + "; unexpected answer '" + printable(line) + "'"});
    }
  }

  // --- A good Q1: the new snapshot

  void on_status(const Q1Reply& reply) {
    ++counters_.good_replies;
    if (reply.absent_fields() > 0) {
      ++counters_.absent_fields;
      host_.warn(absent_log_,
                 std::to_string(reply.absent_fields()) + " field(s) of Q1 absent ('@')");
    }
    UpsVars vars = static_vars_;
    publish_q1(reply, vars);
    if (reply.battery_voltage) battery_.publish(*reply.battery_voltage, reply.load, vars);
    if (reply.load && rated_current_ && *rated_current_ > 0) {
      vars.set(ups_var::kOutputCurrent, format_number(*reply.load / 100 * *rated_current_, 1));
    }
    test_.update(reply.status);
    if (test_.result()) vars.set(ups_var::kTestResult, *test_.result());
    beeper_ = reply.status.beeper_on;
    host_.data_ok(std::move(vars));
  }

  MegatecSettings settings_;
  UpsDriverHost& host_;
  core::EventLoop& loop_;
  int fd_ = -1;
  bool writable_watched_ = false;
  std::string out_;
  LineSplitter splitter_;
  std::uint64_t overlong_seen_ = 0;

  std::deque<Request> queue_;
  std::optional<Request> in_flight_;
  std::optional<core::TimerId> reply_timer_;

  bool rating_done_ = false;
  bool ident_done_ = false;
  std::optional<double> rated_current_;  // from F
  UpsVars static_vars_;                  // from F and I
  BatteryEstimator battery_;
  TestTracker test_;
  std::optional<bool> beeper_;

  MegatecCounters counters_;
  framework::LogLimiter timeout_log_, garbage_log_, unsolicited_log_, absent_log_;
};

UpsDriverPolicy policy(const MegatecSettings& s) {
  UpsDriverPolicy t;
  t.poll_interval = s.poll_interval;
  // Q1 is due every poll_interval and answered within reply_timeout; a failed one is reported
  // at once, so the clock only catches a driver that says nothing for a whole extra poll.
  t.lost_after = s.comm_lost_after;
  t.stale_after =
      s.stale_after.value_or(std::min(2 * s.poll_interval + s.reply_timeout, s.comm_lost_after));
  t.reopen_first = s.poll_interval;
  t.reopen_max = std::max(s.poll_interval, s.comm_lost_after);
  return t;
}

class MegatecCollectorImpl final : public MegatecCollector {
 public:
  MegatecCollectorImpl(const MegatecSettings& settings, core::EventLoop& loop, bool open)
      : runner_(
            loop, policy(settings),
            [&](UpsDriverHost& host) {
              auto driver = std::make_unique<MegatecDriver>(settings, host);
              driver_ = driver.get();
              return driver;
            },
            open) {}

  std::string name() const override { return runner_.name(); }
  UpsReading read() override { return runner_.read(); }
  std::vector<std::string> commands() const override { return runner_.commands(); }
  seconds max_command_delay() const override { return runner_.max_command_delay(); }
  void run(const UpsCommand& command, UpsCommandDone done) override {
    runner_.run(command, std::move(done));
  }
  const MegatecCounters& counters() const override { return driver_->counters(); }
  bool device_open() const override { return driver_->device_open(); }

 private:
  MegatecDriver* driver_ = nullptr;  // owned by runner_
  UpsDriverRunner runner_;
};

}  // namespace

std::unique_ptr<MegatecCollector> make_megatec_collector(const MegatecSettings& settings,
                                                         core::EventLoop& loop, bool open) {
  return std::make_unique<MegatecCollectorImpl>(settings, loop, open);
}

UpsCollectorPtr make_megatec_collector(const YAML::Node& settings, DriverContext context) {
  return make_megatec_collector(parse_megatec_settings(settings, context.file), context.loop,
                                context.open);
}

}  // namespace netpower::collectors::megatec
