#include "host/host_daemon.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cstring>
#include <fstream>

#include "core/config_error.h"

extern char** environ;

namespace netpower::host {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

core::TickleDecoderOptions decoder_options(const HostConfig& config) {
  core::TickleDecoderOptions options;
  options.min_bit_time = config.min_bit_time;
  options.max_bit_time = config.max_bit_time;
  return options;
}

}  // namespace

HostIdentity read_identity(const HostConfig& config) {
  HostIdentity identity;
  identity.host_id = config.host_id.empty() ? first_line(config.host_id_file) : config.host_id;
  if (identity.host_id.empty()) {
    throw core::ConfigError(config.host_id_file, 0, 0,
                            "no host id: set 'host_id' or provide this file");
  }
  identity.hostname = config.hostname;
  if (identity.hostname.empty()) {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) == 0) identity.hostname = name;
  }
  identity.boot_id = first_line(config.boot_id_file);
  return identity;
}

HostDaemon::HostDaemon(const HostConfig& config, HostIdentity identity, core::EventLoop& loop,
                       Informer& informer)
    : config_(config),
      identity_(std::move(identity)),
      loop_(loop),
      informer_(informer),
      decoder_(decoder_options(config)) {}

HostDaemon::~HostDaemon() {
  if (heartbeat_timer_) loop_.cancel(*heartbeat_timer_);
  if (reap_timer_) loop_.cancel(*reap_timer_);
  line_.reset();
}

void HostDaemon::start(LinePtr line) {
  spdlog::info("host id {} ({}), boot id {}", identity_.host_id, identity_.hostname,
               identity_.boot_id);
  informer_.send(make_hello(identity_, next_sequence()));
  heartbeat_timer_ = loop_.call_after(config_.heartbeat, [this]() { heartbeat(); });
  if (line) {
    line_ = std::move(line);
    line_->start(loop_, [this](const core::WireEvent& e) { on_line_event(e); });
    spdlog::info("listening on {}", line_->describe());
  }
}

void HostDaemon::heartbeat() {
  ++stats_.heartbeats;
  informer_.send(make_heartbeat(identity_, next_sequence()));
  heartbeat_timer_ = loop_.call_after(config_.heartbeat, [this]() { heartbeat(); });
}

void HostDaemon::on_line_event(const core::WireEvent& event) {
  if (event.line == core::WireLine::kShutdown) {
    if (event.level) run_shutdown();
    return;
  }
  auto result = decoder_.feed(event.at, event.level);
  switch (result.kind) {
    case core::TickleDecodeResult::Kind::kNeedMore:
      return;
    case core::TickleDecodeResult::Kind::kBad:
      ++stats_.broken_frames;
      spdlog::debug("tickle frame dropped: {}", result.reason);
      return;
    case core::TickleDecodeResult::Kind::kDecoded:
      ++stats_.answered;
      spdlog::info("tickle {} (bit time {} us): answering", nonce_hex(result.nonce),
                   std::chrono::duration_cast<std::chrono::microseconds>(result.bit_time).count());
      informer_.send(make_tickle_answer(identity_, result.nonce, next_sequence()));
      return;
  }
}

void HostDaemon::run_shutdown() {
  if (stats_.shutdown_started) return;
  stats_.shutdown_started = true;
  if (config_.shutdown_command.empty()) {
    spdlog::warn("shutdown signal asserted; no shutdown_command configured");
    return;
  }
  spdlog::warn("shutdown signal asserted: running {}", config_.shutdown_command);
  const char* argv[] = {"/bin/sh", "-c", config_.shutdown_command.c_str(), nullptr};
  pid_t pid = -1;
  int rc =
      ::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ);
  if (rc != 0) {
    spdlog::error("cannot run the shutdown command: {}", std::strerror(rc));
    return;
  }
  shutdown_pid_ = pid;
  reap_timer_ = loop_.call_after(std::chrono::milliseconds(100), [this]() { reap_shutdown(); });
}

void HostDaemon::reap_shutdown() {
  reap_timer_.reset();
  int status = 0;
  pid_t done = ::waitpid(shutdown_pid_, &status, WNOHANG);
  if (done == 0) {
    reap_timer_ = loop_.call_after(std::chrono::milliseconds(100), [this]() { reap_shutdown(); });
    return;
  }
  if (done == shutdown_pid_ && WIFEXITED(status)) {
    spdlog::info("shutdown command exited with {}", WEXITSTATUS(status));
  } else {
    spdlog::warn("shutdown command ended abnormally");
  }
  shutdown_pid_ = -1;
}

}  // namespace netpower::host
