// netpower-megatec-sim: a Megatec/Q1 UPS on a pseudo-terminal, for tests, demos and interop
// checks with NUT's drivers. Prints the slave path (first line of stdout), optionally links it at
// --link, answers the protocol on the master side and takes control commands on --control
// (docs/megatec.md).

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "collectors/megatec/megatec_protocol.h"
#include "collectors/sim/sim_control_server.h"
#include "core/select_loop.h"
#include "tests/tools/megatec_sim/sim_ups.h"

namespace {

using netpower::tools::megatec_sim::SimUps;
using netpower::tools::megatec_sim::SimUpsOptions;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "netpower-megatec-sim: %s\n", what.c_str());
  std::exit(1);
}

void set_raw(int fd) {
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) die(std::string("tcgetattr: ") + std::strerror(errno));
  ::cfmakeraw(&tio);
  ::cfsetispeed(&tio, B2400);
  ::cfsetospeed(&tio, B2400);
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) die(std::string("tcsetattr: ") + std::strerror(errno));
}

// The master side of the pty: requests in, replies out, never blocking.
class Line {
 public:
  Line(netpower::core::SelectLoop& loop, int master, SimUps& ups)
      : loop_(loop), master_(master), ups_(ups) {
    loop_.watch_readable(master_, [this] { on_readable(); });
  }
  ~Line() { loop_.unwatch(master_); }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

 private:
  void on_readable() {
    char buf[512];
    for (;;) {
      auto n = ::read(master_, buf, sizeof buf);
      if (n > 0) {
        splitter_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;  // EAGAIN; EIO cannot happen while we hold the slave open
    }
    while (auto line = splitter_.next()) {
      if (auto reply = ups_.handle_request(*line, loop_.clock().now())) out_ += *reply;
    }
    flush();
  }

  void flush() {
    while (!out_.empty()) {
      auto n = ::write(master_, out_.data(), out_.size());
      if (n > 0) {
        out_.erase(0, static_cast<std::size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        if (!writable_) loop_.watch_writable(master_, [this] { flush(); });
        writable_ = true;
        return;
      } else {
        out_.clear();  // nobody to talk to
      }
    }
    if (writable_) loop_.unwatch_writable(master_);
    writable_ = false;
  }

  netpower::core::SelectLoop& loop_;
  int master_;
  SimUps& ups_;
  netpower::collectors::megatec::LineSplitter splitter_;
  std::string out_;
  bool writable_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  SimUpsOptions o;
  std::string link, control, battery_format = "pack";
  double time_scale = 1.0;
  CLI::App app{"A Megatec/Q1 UPS on a pseudo-terminal"};
  app.add_option("--link", link, "Create a symlink to the pty slave here");
  app.add_option("--control", control, "Control socket (Unix) for scripting the UPS");
  app.add_option("--time-scale", time_scale, "Run time this many times faster")
      ->check(CLI::Range(0.001, 1e6));
  app.add_option("--rated-voltage", o.rated_voltage)->capture_default_str();
  app.add_option("--rated-current", o.rated_current)->capture_default_str();
  app.add_option("--rated-frequency", o.rated_frequency)->capture_default_str();
  app.add_option("--battery-nominal", o.battery_nominal, "Nominal pack voltage")
      ->capture_default_str();
  app.add_option("--battery", o.battery_voltage, "Pack voltage at start")->capture_default_str();
  app.add_option("--battery-low", o.battery_low, "Low-battery bit at or below (0: 104/120 nominal)")
      ->capture_default_str();
  app.add_option("--battery-format", battery_format, "Battery field per cell or per pack")
      ->check(CLI::IsMember({"cell", "pack"}))
      ->capture_default_str();
  app.add_option("--drain-rate", o.drain_rate, "Pack volts per minute on battery")
      ->capture_default_str();
  app.add_option("--charge-rate", o.charge_rate, "Pack volts per minute on mains")
      ->capture_default_str();
  app.add_option("--input-voltage", o.input_voltage)->capture_default_str();
  app.add_option("--input-frequency", o.input_frequency)->capture_default_str();
  app.add_option("--load", o.load, "Percent")->capture_default_str();
  app.add_option("--temperature", o.temperature)->capture_default_str();
  app.add_flag("--online", o.online_type, "UPS type on-line (default: standby)");
  app.add_option("--mfr", o.company)->capture_default_str();
  app.add_option("--model", o.model)->capture_default_str();
  app.add_option("--firmware", o.version)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.per_cell = battery_format == "cell";

  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    die(std::string("cannot create a pty: ") + std::strerror(errno));
  }
  const char* name = ::ptsname(master);
  if (!name) die("ptsname failed");
  std::string slave_path = name;
  // Holding the slave open keeps the master readable-without-EIO while no driver has it open.
  int slave = ::open(slave_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) die("cannot open " + slave_path + ": " + std::strerror(errno));
  set_raw(slave);
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);

  if (!link.empty()) {
    std::error_code ec;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(link, ec))) {
      std::filesystem::remove(link, ec);
    }
    std::filesystem::create_symlink(slave_path, link, ec);
    if (ec) die("cannot link " + link + ": " + ec.message());
  }
  std::printf("%s\n", slave_path.c_str());
  std::fflush(stdout);

  netpower::core::ScaledClock clock(time_scale);
  netpower::core::SelectLoop loop(clock);
  loop.stop_on_signals();
  SimUps ups(o, clock.now());
  Line line(loop, master, ups);
  std::unique_ptr<netpower::collectors::sim::SimControlServer> server;
  if (!control.empty()) {
    try {
      server = std::make_unique<netpower::collectors::sim::SimControlServer>(
          loop, control,
          [&](std::string_view request) { return ups.handle_control(request, clock.now()); });
    } catch (const std::exception& e) {
      die(e.what());
    }
  }
  loop.run();

  server.reset();
  if (!link.empty()) {
    std::error_code ec;
    if (std::filesystem::read_symlink(link, ec) == slave_path) std::filesystem::remove(link, ec);
  }
  ::close(slave);
  ::close(master);
  return 0;
}
