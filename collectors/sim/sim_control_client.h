#pragma once
// The client side of the sim's control protocol: one command line out, one reply line back. Used by
// netpower-simctl and by the integration tests.

#include <chrono>
#include <string>

namespace netpower::collectors::sim {

// Connects to the control socket at `path`, sends `line` and returns the reply without its line
// end. Throws std::runtime_error (connect/send failure, closed connection, no reply within
// `timeout`).
std::string control_request(const std::string& path, const std::string& line,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace netpower::collectors::sim
