#pragma once
// Words of the sims' line protocols (sim_control_protocol, sim_ups_protocol): splitting a line,
// quoting outside bytes in replies, reading a number. The lines come from outside the process.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netpower::collectors::sim {

inline constexpr std::size_t kMaxEcho = 32;

// Outside bytes quoted for an error reply: printable ASCII only, and short.
std::string quote(std::string_view text);
// "error: " + message.
std::string error(const std::string& message);
// The blank-separated words of a line (blanks: space, tab, CR).
std::vector<std::string_view> split(std::string_view line);
// A finite number in [min, max], or nullopt with an error reply in `why`.
std::optional<double> number_of(std::string_view word, const char* what, double min, double max,
                                std::string& why);

}  // namespace netpower::collectors::sim
