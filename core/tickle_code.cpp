#include "core/tickle_code.h"

#include <cassert>

namespace netpower::core {

namespace {

constexpr std::size_t kHeaderBytes = 11;
constexpr std::size_t kFrameBytes = (kTickleFrameBits + 7) / 8;
constexpr int kDataBits = kTickleNonceBits + kTickleCheckBits;
// Whole-bit intervals the hunt needs before it accepts the delimiter. The preamble gives 16 (its
// 16 mid-bit edges and the delimiter's first one), so up to 8 may be lost to noise.
constexpr int kMinLockIntervals = 8;

std::array<std::uint8_t, 8> big_endian(std::uint64_t value) {
  std::array<std::uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
  return out;
}

}  // namespace

std::uint16_t tickle_crc16(std::span<const std::uint8_t> bytes) {
  std::uint16_t crc = 0xffff;
  for (auto byte : bytes) {
    crc = static_cast<std::uint16_t>(crc ^ (static_cast<std::uint16_t>(byte) << 8));
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

TicklePattern make_tickle_pattern(std::uint64_t nonce, Duration bit_time) {
  assert(bit_time >= kMinTickleBitTime && bit_time <= kMaxTickleBitTime);
  TicklePattern pattern;
  pattern.bit_time = bit_time;
  pattern.bits.reserve(kTickleFrameBits);
  for (int i = 0; i < kTicklePreambleBits; ++i) pattern.bits.push_back(i % 2 == 0);
  pattern.bits.push_back(true);
  pattern.bits.push_back(true);
  for (int i = kTickleNonceBits - 1; i >= 0; --i) pattern.bits.push_back(((nonce >> i) & 1) != 0);
  auto bytes = big_endian(nonce);
  auto crc = tickle_crc16(bytes);
  for (int i = kTickleCheckBits - 1; i >= 0; --i) pattern.bits.push_back(((crc >> i) & 1) != 0);
  return pattern;
}

std::vector<std::uint8_t> serialize_tickle_pattern(const TicklePattern& pattern) {
  std::vector<std::uint8_t> out;
  out.push_back(kTicklePatternMagic);
  out.push_back(kTicklePatternVersion);
  for (auto byte : big_endian(static_cast<std::uint64_t>(pattern.bit_time.count()))) {
    out.push_back(byte);
  }
  out.push_back(static_cast<std::uint8_t>(pattern.bits.size()));
  std::size_t start = out.size();
  out.resize(start + (pattern.bits.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < pattern.bits.size(); ++i) {
    if (pattern.bits[i]) out[start + i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
  }
  return out;
}

std::vector<std::uint8_t> encode_tickle(std::uint64_t nonce, Duration bit_time) {
  return serialize_tickle_pattern(make_tickle_pattern(nonce, bit_time));
}

std::optional<TicklePattern> parse_tickle_pattern(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kHeaderBytes + kFrameBytes) return std::nullopt;
  if (bytes[0] != kTicklePatternMagic || bytes[1] != kTicklePatternVersion) return std::nullopt;
  std::uint64_t ns = 0;
  for (std::size_t i = 2; i < 10; ++i) ns = (ns << 8) | bytes[i];
  if (bytes[10] != kTickleFrameBits) return std::nullopt;
  if (ns < static_cast<std::uint64_t>(kMinTickleBitTime.count()) ||
      ns > static_cast<std::uint64_t>(kMaxTickleBitTime.count())) {
    return std::nullopt;
  }
  TicklePattern pattern;
  pattern.bit_time = Duration(static_cast<Duration::rep>(ns));
  for (std::size_t i = 0; i < kTickleFrameBits; ++i) {
    pattern.bits.push_back((bytes[kHeaderBytes + i / 8] & (0x80 >> (i % 8))) != 0);
  }
  // Unused bits of the last byte must be zero.
  for (std::size_t i = kTickleFrameBits; i < kFrameBytes * 8; ++i) {
    if ((bytes[kHeaderBytes + i / 8] & (0x80 >> (i % 8))) != 0) return std::nullopt;
  }
  return pattern;
}

std::vector<TickleEdge> tickle_edges(const TicklePattern& pattern) {
  std::vector<TickleEdge> edges;
  edges.reserve(pattern.bits.size() * 2 + 1);
  const auto t = pattern.bit_time.count();
  bool level = false;
  auto half_slot = [&](std::size_t k) { return Duration(static_cast<Duration::rep>(k) * t / 2); };
  for (std::size_t i = 0; i < pattern.bits.size(); ++i) {
    bool bit = pattern.bits[i];
    // A 1 is low then high, a 0 high then low.
    for (std::size_t half = 0; half < 2; ++half) {
      bool want = half == 0 ? !bit : bit;
      if (want != level) {
        level = want;
        edges.push_back({half_slot(2 * i + half), level});
      }
    }
  }
  if (level) edges.push_back({half_slot(2 * pattern.bits.size()), false});
  return edges;
}

Duration tickle_duration(Duration bit_time) { return bit_time * kTickleFrameBits; }

TickleDecoder::TickleDecoder(TickleDecoderOptions options) : options_(options) {}

void TickleDecoder::reset(bool level) {
  state_ = State::kHunt;
  level_ = level;
  have_edge_ = false;
  whole_intervals_ = 0;
}

bool TickleDecoder::is_half(Duration interval) const {
  return interval * 4 >= bit_time_ && interval * 4 < bit_time_ * 3;
}

bool TickleDecoder::is_whole(Duration interval) const {
  return interval * 4 >= bit_time_ * 3 && interval * 4 < bit_time_ * 5;
}

void TickleDecoder::hunt_from(TimePoint run_start, int whole_intervals, Duration bit_time) {
  state_ = State::kHunt;
  lock_start_ = run_start;
  whole_intervals_ = whole_intervals;
  bit_time_ = bit_time;
}

TickleDecodeResult TickleDecoder::broken(TimePoint at, const char* reason) {
  ++broken_;
  hunt_from(at, 0, Duration(0));
  TickleDecodeResult result;
  result.kind = TickleDecodeResult::Kind::kBad;
  result.reason = reason;
  return result;
}

TickleDecodeResult TickleDecoder::feed(TimePoint at, bool level) {
  if (!have_edge_) {
    have_edge_ = true;
    last_ = at;
    level_ = level;
    hunt_from(at, 0, Duration(0));
    return {};
  }
  const bool locked = state_ != State::kHunt;
  if (at < last_ || level == level_) {
    const char* reason = at < last_ ? "edge out of order" : "lost edge";
    last_ = at;
    level_ = level;
    if (locked) return broken(at, reason);
    hunt_from(at, 0, Duration(0));
    return {};
  }
  const Duration interval = at - last_;
  const TimePoint previous = last_;
  last_ = at;
  level_ = level;
  // A gap longer than any interval of a frame ends whatever was under way (and keeps the interval
  // arithmetic below far from overflow, whatever times the line delivers).
  if (interval > options_.max_bit_time * 2) {
    if (locked) return broken(at, "gap too long");
    hunt_from(at, 0, Duration(0));
    return {};
  }
  switch (state_) {
    case State::kHunt:
      return on_hunt(interval, previous, level);
    case State::kDelimiter:
      // The mid-bit edge of the delimiter's second 1 (rising), half a bit after its boundary edge.
      if (!is_half(interval) || !level) return broken(at, "bad start delimiter");
      state_ = State::kData;
      bits_ = 0;
      last_bit_ = true;
      half_pending_ = false;
      nonce_ = 0;
      check_ = 0;
      return {};
    case State::kData:
      return on_data(interval, at, level);
  }
  return {};
}

TickleDecodeResult TickleDecoder::on_hunt(Duration interval, TimePoint previous, bool level) {
  const TimePoint at = previous + interval;
  if (whole_intervals_ >= kMinLockIntervals && is_half(interval) && !level) {
    // The boundary edge (falling) between the delimiter's two 1s.
    if (bit_time_ < options_.min_bit_time || bit_time_ > options_.max_bit_time) {
      hunt_from(at, 0, Duration(0));
      return {};
    }
    state_ = State::kDelimiter;
    return {};
  }
  bool fits;
  if (whole_intervals_ == 0) {
    fits = false;
  } else if (whole_intervals_ < kMinLockIntervals) {
    // Until the estimate has averaged a few intervals, each may be 20% off either way.
    fits = interval * 5 >= bit_time_ * 3 && interval * 5 < bit_time_ * 8;
  } else {
    fits = is_whole(interval);
  }
  if (fits) {
    ++whole_intervals_;
    bit_time_ = (at - lock_start_) / whole_intervals_;
    return {};
  }
  // This interval may be the first of a new run.
  if (interval * 4 >= options_.min_bit_time * 3 && interval * 4 < options_.max_bit_time * 5) {
    hunt_from(previous, 1, interval);
  } else {
    hunt_from(at, 0, Duration(0));
  }
  return {};
}

TickleDecodeResult TickleDecoder::on_data(Duration interval, TimePoint at, bool level) {
  if (half_pending_) {
    if (!is_half(interval)) return broken(at, "bad interval inside a bit");
    half_pending_ = false;
    if (level != last_bit_) return broken(at, "bad mid-bit edge");
    return push_bit(last_bit_, at);
  }
  if (is_half(interval)) {
    half_pending_ = true;  // a boundary edge: the next bit repeats the last one
    return {};
  }
  if (!is_whole(interval)) return broken(at, "bad interval between bits");
  if (level == last_bit_) return broken(at, "bad mid-bit edge");
  return push_bit(!last_bit_, at);
}

TickleDecodeResult TickleDecoder::push_bit(bool bit, TimePoint at) {
  last_bit_ = bit;
  if (bits_ < kTickleNonceBits) {
    nonce_ = (nonce_ << 1) | (bit ? 1U : 0U);
  } else {
    check_ = static_cast<std::uint16_t>((check_ << 1) | (bit ? 1U : 0U));
  }
  if (++bits_ < kDataBits) return {};
  const auto bytes = big_endian(nonce_);
  const TimePoint started = lock_start_;
  const Duration bit_time = bit_time_;
  if (tickle_crc16(bytes) != check_) return broken(at, "check code mismatch");
  hunt_from(at, 0, Duration(0));
  TickleDecodeResult result;
  result.kind = TickleDecodeResult::Kind::kDecoded;
  result.nonce = nonce_;
  result.bit_time = bit_time;
  result.started = started;
  return result;
}

}  // namespace netpower::core
