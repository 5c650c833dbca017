#pragma once
// The tickle code: a 64-bit nonce as a self-clocking pattern on an outlet's signal line, and the
// decoder that recovers it from the line's edges. One codec for agent, simulator and host; no I/O.
// docs/tickle.md describes the frame, the timing and the jitter bound.
//
// Frame (Manchester, IEEE 802.3 convention: a 0 is high-then-low, a 1 low-then-high; the line idles
// low): preamble 1010...10 (16 bits: one edge per bit time, from which the decoder measures the bit
// time), start delimiter 11, the nonce (64 bits, most significant first), CRC-16/CCITT-FALSE of the
// nonce's 8 big-endian bytes (16 bits), then the line returns to idle.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/clock.h"

namespace netpower::core {

inline constexpr int kTicklePreambleBits = 16;
inline constexpr int kTickleDelimiterBits = 2;
inline constexpr int kTickleNonceBits = 64;
inline constexpr int kTickleCheckBits = 16;
inline constexpr int kTickleFrameBits =
    kTicklePreambleBits + kTickleDelimiterBits + kTickleNonceBits + kTickleCheckBits;  // 98
// Bit times the encoder accepts and the decoder locks onto by default.
inline constexpr Duration kMinTickleBitTime = std::chrono::microseconds(1);
inline constexpr Duration kMaxTickleBitTime = std::chrono::seconds(10);
inline constexpr Duration kDefaultTickleBitTime = std::chrono::milliseconds(10);

// One change of the line's level, `offset` after the start of the frame.
struct TickleEdge {
  Duration offset{0};
  bool level = false;  // the level after the edge
  bool operator==(const TickleEdge&) const = default;
};

// What PduCollector::tickle() receives as its `pattern`: the frame's data bits and the bit time,
// serialized (docs/tickle.md "Pattern bytes"):
//   byte 0     'T' (0x54)     byte 1      version (1)
//   bytes 2-9  bit time in nanoseconds, unsigned big-endian
//   byte 10    number of frame bits N (98)
//   then       ceil(N / 8) bytes of frame bits, most significant bit first, unused bits 0
// A collector turns it into edges with tickle_edges() (or clocks the bits out Manchester-coded).
struct TicklePattern {
  Duration bit_time{kDefaultTickleBitTime};
  std::vector<bool> bits;  // the frame's data bits, before Manchester coding
};

inline constexpr std::uint8_t kTicklePatternMagic = 0x54;
inline constexpr std::uint8_t kTicklePatternVersion = 1;

// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor).
std::uint16_t tickle_crc16(std::span<const std::uint8_t> bytes);

// The frame of `nonce`. `bit_time` must be within [kMinTickleBitTime, kMaxTickleBitTime]
// (asserted).
TicklePattern make_tickle_pattern(std::uint64_t nonce, Duration bit_time);
// The pattern bytes for PduCollector::tickle(): serialize(make_tickle_pattern(nonce, bit_time)).
std::vector<std::uint8_t> encode_tickle(std::uint64_t nonce,
                                        Duration bit_time = kDefaultTickleBitTime);
std::vector<std::uint8_t> serialize_tickle_pattern(const TicklePattern& pattern);
// Parses pattern bytes (from outside the process: nullopt for anything malformed, never throws).
std::optional<TicklePattern> parse_tickle_pattern(std::span<const std::uint8_t> bytes);

// The line's edges for a pattern: Manchester-coded bits, starting from the idle (low) level, first
// edge at half a bit time, ending at the idle level. Offsets are from the start of the frame.
std::vector<TickleEdge> tickle_edges(const TicklePattern& pattern);
// How long the frame lasts from its start to its last edge.
Duration tickle_duration(Duration bit_time);

struct TickleDecoderOptions {
  Duration min_bit_time = kMinTickleBitTime;
  Duration max_bit_time = kMaxTickleBitTime;
};

struct TickleDecodeResult {
  enum class Kind { kNeedMore, kDecoded, kBad };
  Kind kind = Kind::kNeedMore;
  std::uint64_t nonce = 0;  // kDecoded
  Duration bit_time{0};     // kDecoded: the bit time measured from the preamble
  const char* reason = "";  // kBad: a static string for logs
  TimePoint started{};      // kDecoded: time of the frame's first locked preamble edge
};

// Decodes frames from a stream of edges. Bounded state (no allocation); after a bad frame or noise
// it hunts for the next preamble, so the edge that broke one frame may start the next one. An edge
// of the level the line already has (a lost edge) is treated as noise.
//
// Timing tolerance: every edge may be up to 10% of the bit time away from its ideal place (the
// decoder classifies edge intervals as half or whole bit times with +-25% windows around the bit
// time it measured over the preamble).
class TickleDecoder {
 public:
  explicit TickleDecoder(TickleDecoderOptions options = {});
  // Feeds one edge: the line took `level` at `at`. Times must not go backwards (an edge earlier
  // than the previous one is rejected as bad and restarts the hunt).
  TickleDecodeResult feed(TimePoint at, bool level);
  // Forgets any partial frame; the line is assumed to be at `level`.
  void reset(bool level = false);
  // Frames that locked onto a preamble and then broke (bad interval, lost edge, check code).
  std::uint64_t broken_frames() const { return broken_; }

 private:
  enum class State { kHunt, kDelimiter, kData };
  TickleDecodeResult on_hunt(Duration interval, TimePoint at, bool level);
  TickleDecodeResult on_data(Duration interval, TimePoint at, bool level);
  TickleDecodeResult push_bit(bool bit, TimePoint at);
  // Back to hunting, with a run of whole bit intervals starting at `run_start` (the edge before
  // `at` when `interval` could be the run's first, else `at` itself).
  void hunt_from(TimePoint run_start, int whole_intervals, Duration bit_time);
  TickleDecodeResult broken(TimePoint at, const char* reason);
  bool is_half(Duration interval) const;
  bool is_whole(Duration interval) const;

  TickleDecoderOptions options_;
  State state_ = State::kHunt;
  bool level_ = false;
  bool have_edge_ = false;
  TimePoint last_{};
  TimePoint lock_start_{};   // first edge of the run of whole-bit intervals
  int whole_intervals_ = 0;  // in that run
  Duration bit_time_{0};     // measured over the run
  bool half_pending_ = false;
  int bits_ = 0;  // data bits (nonce + check) received
  bool last_bit_ = false;
  std::uint64_t nonce_ = 0;
  std::uint16_t check_ = 0;
  std::uint64_t broken_ = 0;
};

}  // namespace netpower::core
