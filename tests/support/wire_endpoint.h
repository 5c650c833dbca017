// A host's end of a simulated signal wire (docs/tickle.md "The wire protocol"): a bound Unix
// datagram socket that collects the edges a sim chain plays to it, and their decoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tickle_wire.h"

namespace netpower::testing {

class WireEndpoint {
 public:
  // Binds `path` (a file path, or "@name" in the abstract namespace), non-blocking. Throws
  // std::system_error if it cannot (std::invalid_argument for an empty or too long path).
  explicit WireEndpoint(std::string path);
  ~WireEndpoint();
  WireEndpoint(const WireEndpoint&) = delete;
  WireEndpoint& operator=(const WireEndpoint&) = delete;

  // Reads every datagram queued now and keeps its changes. Throws std::runtime_error for a
  // malformed datagram.
  void receive();
  // receive(), then hands over everything kept so far.
  std::vector<core::WireEvent> drain();
  // What is kept (received and not yet drained).
  const std::vector<core::WireEvent>& received() const { return received_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<core::WireEvent> received_;
};

// The nonces that core::TickleDecoder finds in the tickle-line changes of `events`, in order.
std::vector<std::uint64_t> decode_tickles(const std::vector<core::WireEvent>& events);

}  // namespace netpower::testing
