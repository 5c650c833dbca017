// The trap receiver's integration tests share this: the receiver on a loopback port with one
// community and one SNMPv3 user (its engine file in a private directory), an in-memory event sink,
// the net-snmp tools as senders, and a raw UDP socket that sends and receives datagrams.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>

#include "manager/traps/trap_receiver.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::manager::traps {

using namespace std::chrono_literals;
using testing::SnmpCli;
using testing::SnmpCliOptions;
using testing::SnmpCredentials;
using testing::wait_until;

constexpr const char* kCommunity = "np-trap-c0mmunity";
constexpr const char* kUser = "np-trap";
constexpr const char* kAuth = "np-auth-secret";
constexpr const char* kPriv = "np-priv-secret";

// An event sink that keeps what it is given.
class MemoryStore final : public model::EventSink {
 public:
  using model::EventSink::publish;
  void publish(std::vector<model::Event> events) override {
    std::lock_guard lock(mutex_);
    for (auto& e : events) events_.push_back(std::move(e));
  }

  std::vector<model::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<model::Event> events_;
};

inline std::vector<std::uint8_t> corpus(const std::string& name) {
  std::ifstream in(std::filesystem::path(NETPOWER_TRAPS_CORPUS_DIR) / name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Sends raw datagrams to the receiver from one loopback socket, and reads what comes back.
class RawSender {
 public:
  explicit RawSender(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    to_.sin_family = AF_INET;
    to_.sin_port = htons(port);
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~RawSender() { ::close(fd_); }
  RawSender(const RawSender&) = delete;
  RawSender& operator=(const RawSender&) = delete;
  void send(std::span<const std::uint8_t> bytes) {
    ASSERT_EQ(
        ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to_), sizeof to_),
        static_cast<ssize_t>(bytes.size()));
  }
  // The next datagram that arrives within `timeout`, or nullopt.
  std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    std::vector<std::uint8_t> bytes(65536);
    const auto n = ::recv(fd_, bytes.data(), bytes.size(), 0);
    if (n < 0) return std::nullopt;
    bytes.resize(static_cast<std::size_t>(n));
    return bytes;
  }

 private:
  int fd_;
  sockaddr_in to_{};
};

class TrapReceiverTest : public ::testing::Test {
 protected:
  TrapSettings settings() const {
    TrapSettings s;
    s.listen_address = "127.0.0.1";
    s.port = 0;
    s.communities.emplace_back(kCommunity, "test");
    TrapUser user;
    user.usm.user = kUser;
    user.usm.auth_key = config::Secret(kAuth, "test");
    user.usm.priv_key = config::Secret(kPriv, "test");
    s.users.push_back(user);
    s.receive_buffer_bytes = 16 << 20;
    s.engine_file = state_dir_.file("snmp-engine").string();
    return s;
  }

  void start(model::EventSink* events = nullptr, TrapSettings s = {}, bool custom = false) {
    TrapReceiverOptions options;
    options.agents.push_back({"loopback-pdu", "127.0.0.1"});
    options.events = events != nullptr ? events : &store_;
    options.on_trap = [this](const DecodedTrap& trap) {
      std::lock_guard lock(mutex_);
      traps_.push_back(trap);
    };
    receiver_ = start_trap_receiver(custom ? s : settings(), std::move(options));
    target_ = "udp:127.0.0.1:" + std::to_string(receiver_->port());
  }

  SnmpCli cli(SnmpCredentials credentials, int retries = 1) const {
    SnmpCliOptions options;
    options.retries = retries;
    options.timeout = 1000ms;
    return SnmpCli(target_, std::move(credentials), options);
  }

  std::vector<DecodedTrap> traps() const {
    std::lock_guard lock(mutex_);
    return traps_;
  }

  // Waits until the decoders have dealt with every datagram received.
  void settle() {
    ASSERT_TRUE(wait_until(
        [&] {
          auto c = receiver_->counters();
          return c.received == c.accounted();
        },
        10s));
  }

  testing::TempDir state_dir_{"np-traps"};  // the engine file
  MemoryStore store_;
  TrapReceiverPtr receiver_;
  std::string target_;
  mutable std::mutex mutex_;
  std::vector<DecodedTrap> traps_;
};

}  // namespace netpower::manager::traps
