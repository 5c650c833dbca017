// A real PostgreSQL server on loopback for the manager's integration tests: its own cluster
// (initdb) in a private directory, fsync off, a free TCP port on 127.0.0.1, its Unix socket in
// the same directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct PostgresOptions {
  // Where initdb and postgres are; empty: $NETPOWER_POSTGRES_BIN_DIR, else the directory found at
  // configure time (/usr/lib/postgresql/<newest>/bin).
  std::filesystem::path bin_dir;
  // PostgreSQL refuses to run as root. When this process is root, initdb and postgres run as this
  // user (through setpriv), and the server's directory is chowned to it; empty: "postgres" if that
  // account exists, else "nobody". Ignored when not root.
  std::string run_as;
  std::string superuser = "np_admin";
  // Empty: trust authentication. Otherwise TCP connections need this password (scram-sha-256);
  // the Unix socket stays trust, for the fixture's own queries.
  std::string password;
  std::uint16_t port = 0;  // 0: pick a free one (and retry on a lost bind race)
  std::chrono::milliseconds start_timeout{30000};
};

// Owns one cluster and its postmaster. Not thread-safe. The destructor stops the server (fast
// shutdown, SIGKILL after 10 s) and removes the directory.
class PostgresServer {
 public:
  // Runs initdb (a second or two). Throws std::runtime_error with initdb's output on failure, and
  // when running as root with a directory the unprivileged user cannot reach.
  explicit PostgresServer(PostgresOptions options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Starts postgres and returns once it accepts connections. Throws std::runtime_error (with the
  // server's log) if it exits or does not answer within start_timeout. Later starts reuse the port.
  void start();
  // Fast shutdown (SIGINT: clients are disconnected, the cluster is consistent); waits.
  void stop();
  // SIGKILL to the postmaster and its children: a crash. The next start() runs crash recovery.
  void kill();
  void restart();
  bool running();
  // SIGSTOP to the postmaster and every backend: a server that hangs. The kernel still accepts
  // connections and data; nothing answers, not even a statement_timeout. resume() sends SIGCONT;
  // stop() and the destructor resume first.
  void pause();
  void resume();

  // CREATE DATABASE `name` (owned by the superuser).
  void create_database(const std::string& name);
  // Runs `sql` in `dbname` over the Unix socket; the rows as text (NULL as "<null>"). Throws
  // std::runtime_error with the server's message.
  std::vector<std::vector<std::string>> query(const std::string& dbname,
                                              const std::string& sql) const;
  // The single value of a one-row, one-column query.
  std::string scalar(const std::string& dbname, const std::string& sql) const;

  // libpq conninfo over TCP, password included when one is set.
  std::string conninfo(const std::string& dbname) const;
  std::uint16_t port() const { return port_; }
  const std::string& superuser() const { return options_.superuser; }
  const std::string& password() const { return options_.password; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // The user initdb/postgres run as ("" when not root).
  const std::string& run_as() const { return run_as_; }
  // The server's stdout/stderr (all starts).
  std::string log_text() const;

 private:
  std::vector<std::string> wrap(std::vector<std::string> argv) const;
  std::string try_start();

  PostgresOptions options_;
  TempDir dir_{"np-pg"};
  std::filesystem::path bin_dir_;
  std::string run_as_;
  unsigned run_uid_ = 0;
  unsigned run_gid_ = 0;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  bool paused_ = false;
  ProcessPtr process_;
};

}  // namespace netpower::testing
