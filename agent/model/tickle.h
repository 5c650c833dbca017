#pragma once
// A port's tickle as the model keeps it (docs/tickle.md "The agent's tickle table"): the nonce
// last written, whether its pattern is still on the line, and why it failed. ChainModel sends the
// pattern through the collector (core::encode_tickle) and holds the port busy for the window.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/tickle_code.h"

namespace netpower::agent {

// netpowerTickleStatus values.
enum class TickleStatus { kIdle = 1, kSending = 2, kSent = 3, kFailed = 4 };

const char* to_string(TickleStatus status);

// The bit times the agent's `tickle.bit_time` setting accepts (core::encode_tickle's range).
inline constexpr core::Duration kMinTickleBitTime = core::kMinTickleBitTime;
inline constexpr core::Duration kMaxTickleBitTime = core::kMaxTickleBitTime;

// A driver may start the frame up to this many bit times after the collector call (the sim's
// wire player does: room for the glitches it places before the frame).
inline constexpr int kTickleLeadBits = 3;

// How long a tickle keeps its port busy: the lead-in plus the frame (core::tickle_duration).
inline core::Duration tickle_window(core::Duration bit_time) {
  return kTickleLeadBits * bit_time + core::tickle_duration(bit_time);
}

struct TickleView {
  TickleStatus status = TickleStatus::kIdle;
  std::optional<std::uint64_t> nonce;  // the last nonce written; nullopt before the first
  std::uint32_t started_ticks = 0;     // uptime ticks when the last tickle started, 0 before
  std::string error;                   // why the last tickle failed; "" otherwise
};

struct TickleResult {
  enum class Outcome {
    kSending,  // the collector took the pattern: the port is busy for tickle_window()
    kBusy,     // refused: the port's previous tickle is still sending (nothing changed)
    kFailed,   // the collector failed (`error` says why); the port reads failed
  };
  Outcome outcome = Outcome::kSending;
  std::string error;
  bool ok() const { return outcome == Outcome::kSending; }
};

}  // namespace netpower::agent
