#include "collectors/megatec/megatec_collector.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "collectors/megatec/megatec_protocol.h"
#include "core/duration.h"

namespace netpower::collectors::megatec {

namespace {

using std::chrono::seconds;

constexpr std::size_t kReadChunk = 512;
// Bytes read per readiness event: a babbling line must not starve the loop.
constexpr std::size_t kMaxReadPerEvent = 16 * 1024;
// Commands waiting for their turn; more are refused (the agent never needs that many).
constexpr std::size_t kMaxQueuedCommands = 16;
// A kind of trouble is logged at most once per this much loop time.
constexpr core::Duration kLogEvery = std::chrono::minutes(1);

// Logs a recurring problem at most once per kLogEvery, telling how many were not logged.
class LogLimiter {
 public:
  // Whether to log now; `suppressed` gets the count skipped since the last log.
  bool allow(core::TimePoint now, std::uint64_t& suppressed) {
    if (last_ && now - *last_ < kLogEvery) {
      ++suppressed_;
      return false;
    }
    last_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  std::optional<core::TimePoint> last_;
  std::uint64_t suppressed_ = 0;
};

std::string suppressed_note(std::uint64_t n) {
  return n == 0 ? "" : " (" + std::to_string(n) + " similar not logged)";
}

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
  std::string name;   // the instant command's name
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

class MegatecCollectorImpl final : public MegatecCollector {
 public:
  MegatecCollectorImpl(const MegatecSettings& settings, core::EventLoop& loop, bool open)
      : settings_(settings), loop_(loop), active_(open) {
    if (active_) poll_timer_ = loop_.call_after(core::Duration::zero(), [this] { on_poll(); });
  }

  ~MegatecCollectorImpl() override {
    if (poll_timer_) loop_.cancel(*poll_timer_);
    fail_commands("the driver stopped");
    close_device();
  }

  MegatecCollectorImpl(const MegatecCollectorImpl&) = delete;
  MegatecCollectorImpl& operator=(const MegatecCollectorImpl&) = delete;

  std::string name() const override { return "megatec"; }

  UpsReading read() override {
    UpsReading out;
    auto now = loop_.clock().now();
    if (lost(now)) {
      if (!vars_.empty()) {
        spdlog::warn("megatec {}: no good answer for {}; UPS values cleared", settings_.device,
                     core::format_duration(settings_.comm_lost_after));
        vars_ = UpsVars{};
      }
      out.link = UpsLink::kLost;
      if (last_good_) {
        out.detail = "no good answer for " + core::format_duration(settings_.comm_lost_after);
        if (!failure_.empty()) out.detail += ": " + failure_;
      } else {
        out.detail = failure_.empty() ? "no answer yet" : failure_;
      }
      if (last_good_) out.updated = *last_good_;
      return out;
    }
    out.link = last_poll_ok_ ? UpsLink::kOnline : UpsLink::kStale;
    if (!last_poll_ok_) out.detail = failure_;
    out.vars = vars_;
    out.updated = *last_good_;
    return out;
  }

  std::vector<std::string> commands() const override {
    return {ups_cmd::kTestQuick,    ups_cmd::kTestDeep,       ups_cmd::kTestTimed,
            ups_cmd::kTestStop,     ups_cmd::kShutdownReturn, ups_cmd::kShutdownStayoff,
            ups_cmd::kShutdownStop, ups_cmd::kLoadOff,        ups_cmd::kLoadOn,
            ups_cmd::kBeeperToggle, ups_cmd::kBeeperEnable,   ups_cmd::kBeeperDisable};
  }

  seconds max_command_delay() const override { return kMaxShutdownDelay; }

  void run(const UpsCommand& command, UpsCommandDone done) override {
    Request request;
    request.kind = Kind::kCommand;
    request.name = command.name;
    request.done = std::move(done);
    UpsCommandResult invalid{UpsCommandStatus::kInvalid, ""};
    const auto& n = command.name;
    if (n == ups_cmd::kTestQuick) {
      request.bytes = kTestQuick;
    } else if (n == ups_cmd::kTestDeep) {
      request.bytes = kTestDeep;
    } else if (n == ups_cmd::kTestTimed) {
      auto bytes = timed_test_command(command.duration.value_or(kDefaultTestDuration));
      if (!bytes) invalid.detail = "a timed battery test lasts 1 to 99 whole minutes";
      request.bytes = bytes.value_or("");
    } else if (n == ups_cmd::kTestStop) {
      request.bytes = kTestStop;
    } else if (n == ups_cmd::kShutdownReturn || n == ups_cmd::kShutdownStayoff) {
      auto delay = command.delay.value_or(seconds(0));
      auto bytes = n == ups_cmd::kShutdownReturn
                       ? shutdown_return_command(delay, command.restart_after)
                       : shutdown_stayoff_command(delay);
      if (!bytes) {
        invalid.detail =
            "a Megatec shutdown delay is 0 s to 10 min and a restart delay 1 to 9999 min";
      }
      request.bytes = bytes.value_or("");
    } else if (n == ups_cmd::kShutdownStop || n == ups_cmd::kLoadOn) {
      request.bytes = kCancelShutdown;
    } else if (n == ups_cmd::kLoadOff) {
      request.bytes = kLoadOff;
    } else if (n == ups_cmd::kBeeperToggle) {
      request.bytes = kBeeperToggle;
    } else if (n == ups_cmd::kBeeperEnable || n == ups_cmd::kBeeperDisable) {
      request.bytes = kBeeperToggle;
      request.beeper_target = n == ups_cmd::kBeeperEnable;
    } else {
      finish(request, {UpsCommandStatus::kUnsupported, "Megatec has no command '" + n + "'"});
      return;
    }
    if (request.bytes.empty()) {
      finish(request, invalid);
      return;
    }
    if (!active_ || fd_ < 0 || lost(loop_.clock().now())) {
      finish(request, {UpsCommandStatus::kNoResponse,
                       "the UPS on " + settings_.device + " is not answering"});
      return;
    }
    if (queued_commands() >= kMaxQueuedCommands) {
      finish(request, {UpsCommandStatus::kFailed, "too many commands waiting"});
      return;
    }
    // Commands go before the queries that wait.
    auto at = queue_.begin();
    while (at != queue_.end() && at->kind == Kind::kCommand) ++at;
    queue_.insert(at, std::move(request));
    send_next();
  }

  const MegatecCounters& counters() const override { return counters_; }
  bool device_open() const override { return fd_ >= 0; }

 private:
  bool lost(core::TimePoint now) const {
    return !last_good_ || now - *last_good_ > settings_.comm_lost_after;
  }

  std::size_t queued_commands() const {
    std::size_t n = 0;
    for (const auto& r : queue_) n += r.kind == Kind::kCommand;
    return n;
  }

  bool pending(Kind kind) const {
    if (in_flight_ && in_flight_->kind == kind) return true;
    for (const auto& r : queue_) {
      if (r.kind == kind) return true;
    }
    return false;
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

  // --- Polling

  void on_poll() {
    poll_timer_ = loop_.call_after(settings_.poll_interval, [this] { on_poll(); });
    if (fd_ < 0 && !open_device()) return;
    if (!rating_done_ && !pending(Kind::kRating)) {
      queue_.push_back(query(Kind::kRating, kQueryRating));
    }
    if (!ident_done_ && !pending(Kind::kInfo)) queue_.push_back(query(Kind::kInfo, kQueryInfo));
    if (!pending(Kind::kStatus)) queue_.push_back(query(Kind::kStatus, kQueryStatus));
    send_next();
  }

  void poll_failed(const std::string& why) {
    last_poll_ok_ = false;
    failure_ = why;
  }

  void warn(LogLimiter& limiter, const std::string& what) {
    std::uint64_t suppressed = 0;
    if (!limiter.allow(loop_.clock().now(), suppressed)) return;
    spdlog::warn("megatec {}: {}{}", settings_.device, what, suppressed_note(suppressed));
  }

  // --- The device

  bool open_device() {
    int fd = ::open(settings_.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    std::string problem;
    if (fd < 0) {
      problem = "cannot open " + settings_.device + ": " + errno_text(errno);
    } else if (!::isatty(fd)) {
      problem = settings_.device + " is not a serial port";
    } else {
      termios tio{};
      if (::tcgetattr(fd, &tio) != 0) {
        problem = "cannot read the line settings of " + settings_.device + ": " + errno_text(errno);
      } else {
        // Raw 2400 8N1, no flow control, modem lines ignored.
        ::cfmakeraw(&tio);
        tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
        tio.c_cflag |= CS8 | CLOCAL | CREAD;
        tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
        // VMIN 1: with O_NONBLOCK an empty port reads EAGAIN, so 0 means hang-up.
        tio.c_cc[VMIN] = 1;
        tio.c_cc[VTIME] = 0;
        ::cfsetispeed(&tio, B2400);
        ::cfsetospeed(&tio, B2400);
        if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
          problem = "cannot set " + settings_.device + " to 2400 8N1 raw: " + errno_text(errno);
        } else {
          ::tcflush(fd, TCIOFLUSH);
        }
      }
    }
    if (!problem.empty()) {
      if (fd >= 0) ::close(fd);
      ++counters_.open_failures;
      poll_failed(problem);
      warn(open_log_,
           problem + "; retrying every " + core::format_duration(settings_.poll_interval));
      return false;
    }
    fd_ = fd;
    loop_.watch_readable(fd_, [this] { on_readable(); });
    ++counters_.opens;
    spdlog::info("megatec: opened {}", settings_.device);
    // Ask the ratings and identity again: the UPS behind the port may have changed.
    rating_done_ = !settings_.rating;
    ident_done_ = !settings_.ident;
    static_vars_ = UpsVars{};
    rating_.reset();
    packs_.reset();
    packs_final_ = false;
    return true;
  }

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
    spdlog::warn("megatec {}: {}; closing it, reopening every {}", settings_.device, why,
                 core::format_duration(settings_.poll_interval));
    close_device();
    fail_commands("the device failed: " + why);
    poll_failed("device failed: " + why);
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
      warn(garbage_log_,
           "discarded a line longer than " + std::to_string(LineSplitter::kMaxLine) + " bytes");
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
        if (!beeper_) {
          finish(request, {UpsCommandStatus::kFailed, "the beeper state is not known yet"});
          in_flight_.reset();
          continue;
        }
        if (*beeper_ == *request.beeper_target) {
          finish(request, {UpsCommandStatus::kSuccess, std::string("the beeper is already ") +
                                                           (*beeper_ ? "enabled" : "disabled")});
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
      device_lost("write failed: " + errno_text(n < 0 ? errno : EIO));
      return;
    }
    if (writable_watched_) {
      loop_.unwatch_writable(fd_);
      writable_watched_ = false;
    }
    if (in_flight_ && in_flight_->kind == Kind::kCommand && !in_flight_->written) {
      in_flight_->written = true;
      ++counters_.commands_sent;
      const auto& bytes = in_flight_->bytes;
      if (bytes == kTestStop && test_active_) test_aborted_ = true;
      if (bytes.front() == 'T') deep_test_ = bytes == kTestDeep;  // T, TL, T<n>
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
      device_lost("the port did not take " + printable(request.bytes) + " within " +
                  core::format_duration(settings_.reply_timeout));
      return;
    }
    if (request.kind == Kind::kCommand) {
      // Megatec UPSes answer only commands they refuse (by echoing them).
      finish(request, {UpsCommandStatus::kSuccess, "sent " + printable(request.bytes)});
    } else {
      ++counters_.timeouts;
      std::string why = std::string("no answer to ") + query_name(request.kind) + " within " +
                        core::format_duration(settings_.reply_timeout);
      if (request.kind == Kind::kStatus) poll_failed(why);
      warn(timeout_log_, why);
    }
    in_flight_.reset();
    send_next();
  }

  void unsolicited(const std::string& line) {
    ++counters_.unsolicited;
    warn(unsolicited_log_, "ignored a line nobody asked for: '" + printable(line) + "'");
  }

  template <typename T>
  void bad_reply(const Parsed<T>& parsed, Kind kind) {
    if (parsed.error == ParseError::kShort) {
      ++counters_.short_replies;
    } else {
      ++counters_.garbage;
    }
    if (kind == Kind::kStatus) poll_failed(parsed.detail);
    warn(garbage_log_, parsed.detail);
  }

  void handle_line(const std::string& line) {
    if (!in_flight_) {
      unsolicited(line);
      return;
    }
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
        if (parsed) {
          ++counters_.good_replies;
          rating_ = *parsed.value;
          rating_done_ = true;
          publish_f(*rating_, static_vars_);
          if (!packs_final_) packs_.reset();  // detect again with the nominal voltage
        } else {
          bad_reply(parsed, request.kind);
        }
        break;
      }
      case Kind::kInfo: {
        auto parsed = parse_i(line);
        if (parsed) {
          ++counters_.good_replies;
          ident_done_ = true;
          publish_i(*parsed.value, static_vars_);
        } else {
          bad_reply(parsed, request.kind);
        }
        break;
      }
      case Kind::kCommand: {
        std::string_view sent(request.bytes);
        sent.remove_suffix(1);
        if (line == sent) {
          ++counters_.commands_refused;
          finish(request, {UpsCommandStatus::kFailed,
                           "the UPS echoed " + printable(request.bytes) + " back: refused"});
        } else if (line == "ACK" || line == "(ACK") {
          finish(request, {UpsCommandStatus::kSuccess, printable(request.bytes) + ": ACK"});
        } else if (line == "NAK" || line == "(NAK") {
          ++counters_.commands_refused;
          finish(request, {UpsCommandStatus::kFailed, printable(request.bytes) + ": NAK"});
        } else {
          ++counters_.garbage;
          finish(request,
                 {UpsCommandStatus::kSuccess, "sent " + printable(request.bytes) +
                                                  "; unexpected answer '" + printable(line) + "'"});
        }
        break;
      }
    }
    complete_request();
  }

  // --- A good Q1: the new snapshot

  std::optional<double> nominal_battery_voltage() const {
    if (settings_.battery_voltage_nominal) return settings_.battery_voltage_nominal;
    if (rating_ && rating_->battery_voltage && *rating_->battery_voltage > 0) {
      return rating_->battery_voltage;
    }
    return std::nullopt;
  }

  double battery_packs(double reading) {
    if (settings_.battery_packs) return *settings_.battery_packs;
    if (packs_) return *packs_;
    auto nominal = nominal_battery_voltage();
    if (!nominal) {
      // Without a nominal voltage the reading is published as sent; F may still tell it.
      return 1;
    }
    packs_ = detect_battery_packs(reading, *nominal);
    packs_final_ = true;
    if (!packs_) {
      spdlog::info(
          "megatec {}: cannot tell the battery pack count from {:.2f} V against {:.1f} V "
          "nominal; publishing the reading as is (set battery.packs)",
          settings_.device, reading, *nominal);
      packs_ = 1;
    }
    return *packs_;
  }

  void on_status(const Q1Reply& reply) {
    ++counters_.good_replies;
    if (reply.absent_fields() > 0) {
      ++counters_.absent_fields;
      warn(absent_log_, std::to_string(reply.absent_fields()) + " field(s) of Q1 absent ('@')");
    }
    UpsVars vars = static_vars_;
    publish_q1(reply, vars);

    std::optional<double> charge;
    if (reply.battery_voltage) {
      double volts = *reply.battery_voltage * battery_packs(*reply.battery_voltage);
      vars.set(ups_var::kBatteryVoltage, format_number(volts, 2));
      auto nominal = nominal_battery_voltage();
      if (nominal && !static_vars_.get(ups_var::kBatteryVoltageNominal)) {
        vars.set(ups_var::kBatteryVoltageNominal, format_number(*nominal, 1));
      }
      std::optional<double> low = settings_.battery_voltage_low;
      std::optional<double> high = settings_.battery_voltage_high;
      if (!low && nominal) {
        low = default_low_voltage(*nominal);
        high = default_high_voltage(*nominal);
      }
      if (low && high) {
        vars.set("battery.voltage.low", format_number(*low, 2));
        vars.set("battery.voltage.high", format_number(*high, 2));
        charge = battery_charge(volts, *low, *high);
      }
    }
    if (charge) vars.set(ups_var::kBatteryCharge, format_number(*charge, 0));
    if (charge && reply.load && settings_.runtime) {
      vars.set(ups_var::kBatteryRuntime,
               format_number(battery_runtime(*charge, *reply.load, *settings_.runtime), 0));
    }
    if (reply.load && rating_ && rating_->current && *rating_->current > 0) {
      vars.set(ups_var::kOutputCurrent, format_number(*reply.load / 100 * *rating_->current, 1));
    }

    track_test(reply);
    if (test_result_) vars.set(ups_var::kTestResult, *test_result_);
    beeper_ = reply.status.beeper_on;

    if (!last_poll_ok_ && last_good_) {
      spdlog::info("megatec {}: the UPS answers again", settings_.device);
    }
    vars_ = std::move(vars);
    last_good_ = loop_.clock().now();
    last_poll_ok_ = true;
    failure_.clear();
  }

  // ups.test.result from the test-in-progress bit: what happened while it was set.
  void track_test(const Q1Reply& reply) {
    const auto& s = reply.status;
    if (s.test_in_progress && !test_active_) {
      test_active_ = true;
      test_failed_ = false;
      test_aborted_ = false;
      test_result_ = "In progress";
    }
    // A deep test runs the battery down to low on purpose.
    bool bad = s.ups_failed || (s.battery_low && !deep_test_);
    if (test_active_ && bad) test_failed_ = true;
    if (test_active_ && !s.test_in_progress) {
      test_active_ = false;
      deep_test_ = false;
      test_result_ = test_aborted_                    ? "Aborted"
                     : (test_failed_ || s.ups_failed) ? "Done and error"
                                                      : "Done and passed";
    }
  }

  MegatecSettings settings_;
  core::EventLoop& loop_;
  bool active_;
  int fd_ = -1;
  bool writable_watched_ = false;
  std::string out_;
  LineSplitter splitter_;
  std::uint64_t overlong_seen_ = 0;

  std::deque<Request> queue_;
  std::optional<Request> in_flight_;
  std::optional<core::TimerId> poll_timer_;
  std::optional<core::TimerId> reply_timer_;

  bool rating_done_ = false;
  bool ident_done_ = false;
  std::optional<FReply> rating_;
  std::optional<double> packs_;
  bool packs_final_ = false;
  UpsVars static_vars_;  // from F and I

  UpsVars vars_;
  std::optional<core::TimePoint> last_good_;
  bool last_poll_ok_ = false;
  std::string failure_;

  bool test_active_ = false;
  bool test_failed_ = false;
  bool test_aborted_ = false;
  bool deep_test_ = false;
  std::optional<std::string> test_result_;
  std::optional<bool> beeper_;

  MegatecCounters counters_;
  LogLimiter open_log_, timeout_log_, garbage_log_, unsolicited_log_, absent_log_;
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
