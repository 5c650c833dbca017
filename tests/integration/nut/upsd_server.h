// A real Network UPS Tools server on loopback for integration tests: upsd plus NUT's own
// simulation drivers, all from the installed NUT (2.8.0 on Debian 12), in a private directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct UpsdOptions {
  // The dummy-ups UPS: its name and the variables of its .dev file (empty: kDefaultUpsdVars).
  std::string ups = "dummy";
  std::map<std::string, std::string> vars;
  // A second UPS, `clone_ups`, served by NUT's `clone` driver mirroring the dummy. dummy-ups
  // 2.8.0 lists one instant command (load.off) and answers it with failure (TRACKING "ERR
  // UNKNOWN"); clone implements shutdown.return and shutdown.stayoff for real (TRACKING "SUCCESS";
  // with offdelay/ondelay of an hour they only put FSD into its ups.status). Empty: no clone.
  std::string clone_ups = "clone";
  // The upsd.users entry: every instant command and SET. Test fixtures, visible in configs and
  // failure output; no '#', quotes or blanks.
  std::string user = "np-admin";
  std::string password = "np-secret-pw";
  // upsd's MAXAGE: seconds without news from a driver before upsd calls its data stale.
  int maxage_seconds = 5;
  // dummy-ups re-reads its .dev file once per poll interval when the file's mtime changed.
  int driver_poll_seconds = 1;
  std::uint16_t port = 0;                      // 0: a free port, chosen at the first start()
  std::filesystem::path nut_dir = "/lib/nut";  // upsd and the drivers (Debian's path)
  std::chrono::milliseconds start_timeout{15000};
};

// What the dummy UPS reports unless the options say otherwise.
extern const std::map<std::string, std::string> kDefaultUpsdVars;

// Owns upsd and its drivers. Not thread-safe. Started by start(); the destructor stops everything
// (SIGTERM, SIGKILL after 5 s) and removes the directory.
//
// Privileges: as root (CI), every program gets `-u root`: NUT programs started as root otherwise
// switch to the `nut` user, which cannot enter the test's private 0700 directory. Unprivileged,
// they run as the calling user. The Debian wrapper /sbin/upsd is bypassed (it refuses to run
// unless /etc/nut/nut.conf sets MODE); /lib/nut/upsd is the server itself.
class UpsdServer {
 public:
  explicit UpsdServer(UpsdOptions options = {});
  ~UpsdServer();
  UpsdServer(const UpsdServer&) = delete;
  UpsdServer& operator=(const UpsdServer&) = delete;

  // Writes the configuration, starts the drivers and upsd, and returns once upsd serves every UPS
  // (LIST VAR answers with the dummy's variables). Throws std::runtime_error with the logs when
  // something does not come up within start_timeout.
  void start();

  // upsd alone; the drivers keep running. start_upsd() waits until it serves the UPSes again.
  void stop_upsd();  // SIGTERM
  void kill_upsd();  // SIGKILL: clients see the connection reset
  void start_upsd();
  bool upsd_running();

  // The dummy driver: stopped, upsd answers DRIVER-NOT-CONNECTED at once; paused (SIGSTOP),
  // upsd answers DATA-STALE once MAXAGE has passed.
  void stop_driver();
  void start_driver();
  void pause_driver();
  void resume_driver();

  // Rewrites the dummy's .dev file with `vars` (merged over the current ones) and advances its
  // mtime; dummy-ups picks it up within about driver_poll_seconds + 1 s.
  void update_vars(const std::map<std::string, std::string>& vars);
  // Sets a variable through upsd (SET VAR as the fixture's user) and returns once the driver has
  // reported SUCCESS through TRACKING (well under a second). Throws std::runtime_error otherwise.
  void set_var(const std::string& name, const std::string& value);

  // A plain blocking client: sends `requests` in one write and returns upsd's raw replies once
  // each request is answered (one line, or a whole BEGIN LIST .. END LIST block). Throws
  // std::runtime_error on a timeout.
  std::string session(const std::vector<std::string>& requests,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

  // GET TRACKING <id> on an authenticated connection with TRACKING on (upsd answers
  // FEATURE-NOT-CONFIGURED otherwise): "PENDING\n", "SUCCESS\n", "ERR <code>\n".
  std::string tracking_status(const std::string& id) const;

  std::uint16_t port() const { return port_; }
  const std::string& ups() const { return options_.ups; }
  const std::string& clone_ups() const { return options_.clone_ups; }
  const std::string& user() const { return options_.user; }
  const std::string& password() const { return options_.password; }
  const std::map<std::string, std::string>& vars() const { return vars_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Every log of upsd and the drivers so far, with the generated configuration.
  std::string log_text() const;

 private:
  void write_config();
  void write_dev();
  std::vector<std::string> privilege_args() const;
  EnvChanges env() const;
  ProcessPtr spawn(const std::string& name, std::vector<std::string> argv) const;
  void wait_for_socket(const std::string& socket_name, Process& process) const;
  // Empty when upsd serves every UPS; else what is still missing.
  std::string serving_problem() const;
  void wait_serving(const std::string& what);

  UpsdOptions options_;
  TempDir dir_{"np-upsd"};
  std::map<std::string, std::string> vars_;
  std::uint16_t port_ = 0;
  std::filesystem::file_time_type dev_mtime_{};
  ProcessPtr driver_, clone_, upsd_;
};

}  // namespace netpower::testing
