#include "tests/support/manager/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/wait.h"

#ifndef NETPOWER_POSTGRES_BIN_DIR
#define NETPOWER_POSTGRES_BIN_DIR "/usr/lib/postgresql/15/bin"
#endif

namespace netpower::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kPortAttempts = 3;

void chown_tree(const fs::path& root, unsigned uid, unsigned gid) {
  if (::chown(root.c_str(), uid, gid) != 0) {
    throw std::runtime_error("PostgresServer: chown " + root.string() + " failed");
  }
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    ::lchown(entry.path().c_str(), uid, gid);
  }
}

// The unprivileged user must be able to reach its directory: every ancestor searchable by others.
void check_reachable(const fs::path& dir, const std::string& user) {
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) break;
    if ((st.st_mode & S_IXOTH) == 0) {
      throw std::runtime_error("PostgresServer: running as root, postgres runs as '" + user +
                               "', which cannot enter " + p.string() +
                               " (no o+x); point TMPDIR at a directory like /tmp");
    }
    if (p == p.root_path()) break;
  }
}

}  // namespace

PostgresServer::PostgresServer(PostgresOptions options) : options_(std::move(options)) {
  const char* env_bin = std::getenv("NETPOWER_POSTGRES_BIN_DIR");
  bin_dir_ = !options_.bin_dir.empty()                  ? options_.bin_dir
             : (env_bin != nullptr && *env_bin != '\0') ? fs::path(env_bin)
                                                        : fs::path(NETPOWER_POSTGRES_BIN_DIR);
  if (!fs::exists(bin_dir_ / "postgres") || !fs::exists(bin_dir_ / "initdb")) {
    throw std::runtime_error("PostgresServer: no postgres/initdb in " + bin_dir_.string() +
                             " (install postgresql, or set NETPOWER_POSTGRES_BIN_DIR)");
  }
  port_ = options_.port;
  if (::geteuid() == 0) {
    run_as_ = options_.run_as;
    if (run_as_.empty()) run_as_ = ::getpwnam("postgres") != nullptr ? "postgres" : "nobody";
    const passwd* pw = ::getpwnam(run_as_.c_str());
    if (pw == nullptr) throw std::runtime_error("PostgresServer: no user '" + run_as_ + "'");
    run_uid_ = pw->pw_uid;
    run_gid_ = pw->pw_gid;
    check_reachable(dir_.path(), run_as_);
  }

  std::vector<std::string> initdb = {(bin_dir_ / "initdb").string(),
                                     "-D",
                                     dir_.file("data").string(),
                                     "-U",
                                     options_.superuser,
                                     "-E",
                                     "UTF8",
                                     "--no-locale",
                                     "--no-sync",
                                     "--auth-local=trust"};
  if (options_.password.empty()) {
    initdb.push_back("--auth-host=trust");
  } else {
    std::ofstream(dir_.file("pwfile")) << options_.password << "\n";
    initdb.push_back("--auth-host=scram-sha-256");
    initdb.push_back("--pwfile=" + dir_.file("pwfile").string());
  }
  if (!run_as_.empty()) chown_tree(dir_.path(), run_uid_, run_gid_);
  auto result = run_command(wrap(initdb), std::chrono::seconds(120), {"LC_ALL=C", "TZ=UTC"});
  fs::remove(dir_.file("pwfile"));
  if (!result.status.success()) {
    throw std::runtime_error("PostgresServer: initdb failed:\n" + result.describe(wrap(initdb)));
  }
}

PostgresServer::~PostgresServer() {
  try {
    stop();
  } catch (...) {
  }
}

std::vector<std::string> PostgresServer::wrap(std::vector<std::string> argv) const {
  if (run_as_.empty()) return argv;
  // setpriv execs the program itself (no intermediate process, unlike su/runuser), so signals to
  // the Process reach postgres directly.
  std::vector<std::string> out = {"setpriv", "--reuid=" + std::to_string(run_uid_),
                                  "--regid=" + std::to_string(run_gid_), "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::string PostgresServer::conninfo(const std::string& dbname) const {
  std::string out = "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname +
                    " user=" + options_.superuser + " connect_timeout=5";
  if (!options_.password.empty()) out += " password=" + options_.password;
  return out;
}

std::string PostgresServer::log_text() const { return read_file(dir_.file("postgres.log")); }

std::string PostgresServer::try_start() {
  {
    std::ofstream log(dir_.file("postgres.log"), std::ios::app);
    log << "=== PostgresServer start #" << ++starts_ << " on port " << port_ << " ===\n";
  }
  if (!run_as_.empty()) ::chown(dir_.file("postgres.log").c_str(), run_uid_, run_gid_);
  process_.reset();
  process_ = std::make_unique<Process>(wrap({(bin_dir_ / "postgres").string(),
                                             "-D",
                                             dir_.file("data").string(),
                                             "-p",
                                             std::to_string(port_),
                                             "-c",
                                             "listen_addresses=127.0.0.1",
                                             "-c",
                                             "unix_socket_directories=" + dir_.path().string(),
                                             "-c",
                                             "fsync=off",
                                             "-c",
                                             "synchronous_commit=off",
                                             "-c",
                                             "full_page_writes=off",
                                             "-c",
                                             "max_connections=40",
                                             "-c",
                                             "shared_buffers=32MB",
                                             "-c",
                                             "log_min_messages=warning"}),
                                       dir_.file("postgres.log"), EnvChanges{"LC_ALL=C", "TZ=UTC"});
  const std::string probe = "host=" + dir_.path().string() + " port=" + std::to_string(port_) +
                            " dbname=postgres user=" + options_.superuser + " connect_timeout=2";
  const std::string probe_tcp =
      "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres connect_timeout=2";
  const bool answered = wait_until(
      [&] {
        if (!process_->running()) return true;
        return PQping(probe.c_str()) == PQPING_OK && PQping(probe_tcp.c_str()) == PQPING_OK;
      },
      options_.start_timeout, std::chrono::milliseconds(50));
  if (answered && process_->running()) return {};
  if (!answered) {
    process_->kill9();
    return "postgres did not accept connections on port " + std::to_string(port_) + " within " +
           std::to_string(options_.start_timeout.count()) + " ms";
  }
  return "postgres exited during start-up (" + process_->exit_status()->describe() + ")";
}

void PostgresServer::start() {
  if (process_ && process_->running()) {
    throw std::logic_error("PostgresServer::start: already running on port " +
                           std::to_string(port_));
  }
  const bool pick_port = port_ == 0;
  std::string failure;
  for (int attempt = 0; attempt < (pick_port ? kPortAttempts : 1); ++attempt) {
    if (pick_port) port_ = free_tcp_port();
    failure = try_start();
    if (failure.empty()) return;
    if (!pick_port || log_text().find("could not bind") == std::string::npos) break;
  }
  throw std::runtime_error("PostgresServer::start failed: " + failure + "\n--- postgres log ---\n" +
                           log_text());
}

namespace {

// The children of `parent` (/proc/<pid>/stat's fourth field). PostgreSQL's backends call setsid(),
// so a signal to the postmaster's process group does not reach them.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

void PostgresServer::pause() {
  if (!process_ || !process_->signal(SIGSTOP)) return;  // first: no new backends are forked
  for (const auto child : children_of(process_->pid())) ::kill(child, SIGSTOP);
  paused_ = true;
}

void PostgresServer::resume() {
  if (!process_ || !paused_) return;
  for (const auto child : children_of(process_->pid())) ::kill(child, SIGCONT);
  process_->signal(SIGCONT);
  paused_ = false;
}

void PostgresServer::stop() {
  resume();
  if (!process_ || !process_->running()) return;
  process_->signal(SIGINT);  // fast shutdown; SIGTERM would wait for clients to disconnect
  if (!process_->wait_exit(std::chrono::seconds(10))) process_->kill9();
}

void PostgresServer::kill() {
  paused_ = false;
  if (process_) process_->kill9();
}

void PostgresServer::restart() {
  stop();
  start();
}

bool PostgresServer::running() { return process_ && process_->running(); }

std::vector<std::vector<std::string>> PostgresServer::query(const std::string& dbname,
                                                            const std::string& sql) const {
  const std::string info = "host=" + dir_.path().string() + " port=" + std::to_string(port_) +
                           " dbname=" + dbname + " user=" + options_.superuser +
                           " connect_timeout=5";
  PGconn* conn = PQconnectdb(info.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("PostgresServer::query: cannot connect: " + msg);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    throw std::runtime_error("PostgresServer::query: " + sql + ": " + msg);
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r); ++j) {
      row.emplace_back(PQgetisnull(r, i, j) ? "<null>" : PQgetvalue(r, i, j));
    }
    rows.push_back(std::move(row));
  }
  PQclear(r);
  PQfinish(conn);
  return rows;
}

std::string PostgresServer::scalar(const std::string& dbname, const std::string& sql) const {
  auto rows = query(dbname, sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    throw std::runtime_error("PostgresServer::scalar: " + sql + " returned " +
                             std::to_string(rows.size()) + " rows");
  }
  return rows[0][0];
}

void PostgresServer::create_database(const std::string& name) {
  query("postgres", "CREATE DATABASE \"" + name + "\"");
}

}  // namespace netpower::testing
