#pragma once
// A UDP relay between the hosts and the manager's trap receiver that records every datagram the
// hosts send, so that a test can replay one later (an attacker who captured an answer).

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace netpower::testing {

class UdpRelay {
 public:
  // Listens on 127.0.0.1:<free port> and forwards to 127.0.0.1:`target_port`; answers go back to
  // whoever sent the request.
  explicit UdpRelay(std::uint16_t target_port);
  ~UdpRelay();
  UdpRelay(const UdpRelay&) = delete;
  UdpRelay& operator=(const UdpRelay&) = delete;

  std::uint16_t port() const { return port_; }
  // Every datagram sent towards the target so far.
  std::vector<std::string> recorded() const;
  // Sends `datagram` to the target from a fresh socket (the replay).
  void replay(const std::string& datagram) const;

 private:
  void run();

  int front_ = -1;  // the hosts send here
  int back_ = -1;   // we send to the target from here
  std::uint16_t port_ = 0;
  std::uint16_t target_port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> recorded_;
  std::thread thread_;
};

}  // namespace netpower::testing
