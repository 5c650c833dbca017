#include "core/tickle_code.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "core/tickle_wire.h"

namespace netpower::core {
namespace {

using namespace std::chrono_literals;
using Kind = TickleDecodeResult::Kind;

const TimePoint kStart{std::chrono::hours(1)};

struct Line {
  TimePoint at;
  bool level;
};

std::vector<Line> frame_at(TimePoint start, std::uint64_t nonce, Duration bit_time) {
  std::vector<Line> out;
  for (const auto& e : tickle_edges(make_tickle_pattern(nonce, bit_time))) {
    out.push_back({start + e.offset, e.level});
  }
  return out;
}

std::vector<TickleDecodeResult> decode_all(const std::vector<Line>& lines,
                                           TickleDecoderOptions options = {}) {
  TickleDecoder decoder(options);
  std::vector<TickleDecodeResult> out;
  for (const auto& l : lines) {
    auto r = decoder.feed(l.at, l.level);
    if (r.kind != Kind::kNeedMore) out.push_back(r);
  }
  return out;
}

std::vector<std::uint64_t> nonces_of(const std::vector<TickleDecodeResult>& results) {
  std::vector<std::uint64_t> out;
  for (const auto& r : results) {
    if (r.kind == Kind::kDecoded) out.push_back(r.nonce);
  }
  return out;
}

// The line XOR short pulses: what noise does to a real line.
std::vector<Line> with_glitches(const std::vector<Line>& lines,
                                const std::vector<std::pair<TimePoint, Duration>>& glitches) {
  std::vector<TimePoint> changes;
  for (const auto& l : lines) changes.push_back(l.at);
  for (const auto& [at, width] : glitches) {
    changes.push_back(at);
    changes.push_back(at + width);
  }
  std::sort(changes.begin(), changes.end());
  auto level_at = [&](TimePoint t) {
    bool level = false;
    for (const auto& l : lines) {
      if (l.at <= t) level = l.level;
    }
    for (const auto& [at, width] : glitches) {
      if (at <= t && t < at + width) level = !level;
    }
    return level;
  };
  std::vector<Line> out;
  bool level = false;
  for (auto t : changes) {
    bool now = level_at(t);
    if (now != level) {
      out.push_back({t, now});
      level = now;
    }
  }
  return out;
}

TEST(TickleCode, Crc16MatchesTheCcittFalseCheckValue) {
  const std::string text = "123456789";
  std::vector<std::uint8_t> bytes(text.begin(), text.end());
  EXPECT_EQ(tickle_crc16(bytes), 0x29B1);
}

TEST(TickleCode, FrameLayout) {
  auto p = make_tickle_pattern(0x8000000000000001ULL, 1ms);
  ASSERT_EQ(p.bits.size(), static_cast<std::size_t>(kTickleFrameBits));
  for (int i = 0; i < kTicklePreambleBits; ++i) EXPECT_EQ(p.bits[i], i % 2 == 0) << i;
  EXPECT_TRUE(p.bits[16]);
  EXPECT_TRUE(p.bits[17]);
  EXPECT_TRUE(p.bits[18]);  // nonce MSB
  EXPECT_FALSE(p.bits[19]);
  EXPECT_TRUE(p.bits[81]);  // nonce LSB
  auto edges = tickle_edges(p);
  ASSERT_FALSE(edges.empty());
  EXPECT_EQ(edges.front(), (TickleEdge{500us, true}));
  EXPECT_FALSE(edges.back().level);
  EXPECT_LE(edges.back().offset, tickle_duration(1ms));
  for (std::size_t i = 1; i < edges.size(); ++i) {
    EXPECT_NE(edges[i].level, edges[i - 1].level);
    EXPECT_GT(edges[i].offset, edges[i - 1].offset);
  }
}

TEST(TickleCode, PatternBytesRoundTrip) {
  auto bytes = encode_tickle(0x0123456789abcdefULL, 20ms);
  ASSERT_EQ(bytes.size(), 24u);
  EXPECT_EQ(bytes[0], 0x54);
  EXPECT_EQ(bytes[1], 1);
  EXPECT_EQ(bytes[10], kTickleFrameBits);
  auto parsed = parse_tickle_pattern(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->bit_time, 20ms);
  EXPECT_EQ(parsed->bits, make_tickle_pattern(0x0123456789abcdefULL, 20ms).bits);
}

TEST(TickleCode, MalformedPatternBytesAreRefused) {
  auto good = encode_tickle(42, 1ms);
  EXPECT_FALSE(parse_tickle_pattern({}));
  auto bad = good;
  bad[0] = 'X';
  EXPECT_FALSE(parse_tickle_pattern(bad));
  bad = good;
  bad[1] = 2;
  EXPECT_FALSE(parse_tickle_pattern(bad));
  bad = good;
  bad.pop_back();
  EXPECT_FALSE(parse_tickle_pattern(bad));
  bad = good;
  bad.back() |= 0x01;  // an unused bit
  EXPECT_FALSE(parse_tickle_pattern(bad));
  bad = good;
  for (std::size_t i = 2; i < 10; ++i) bad[i] = 0;  // bit time 0
  EXPECT_FALSE(parse_tickle_pattern(bad));
}

TEST(TickleCode, RoundTripsAtManyBitTimes) {
  std::mt19937_64 rng(7);
  for (Duration bit_time : {Duration(1us), Duration(3us), Duration(77us), Duration(1ms),
                            Duration(10ms), Duration(333ms), Duration(1s), Duration(10s)}) {
    for (int i = 0; i < 20; ++i) {
      std::uint64_t nonce = rng();
      auto results = decode_all(frame_at(kStart, nonce, bit_time));
      ASSERT_EQ(results.size(), 1u) << bit_time.count();
      EXPECT_EQ(results[0].kind, Kind::kDecoded) << results[0].reason;
      EXPECT_EQ(results[0].nonce, nonce);
      EXPECT_EQ(results[0].bit_time, bit_time);
    }
  }
  for (std::uint64_t nonce : {0ULL, ~0ULL, 0x5555555555555555ULL, 0xAAAAAAAAAAAAAAAAULL}) {
    EXPECT_EQ(nonces_of(decode_all(frame_at(kStart, nonce, 1ms))),
              std::vector<std::uint64_t>{nonce});
  }
}

TEST(TickleCode, ToleratesJitterUpToTenPercentOfTheBitTime) {
  std::mt19937_64 rng(11);
  const Duration bit_time = 10ms;
  const auto bound = bit_time.count() / 10;
  std::uniform_int_distribution<Duration::rep> jitter(-bound, bound);
  std::bernoulli_distribution extreme(0.5);
  for (int i = 0; i < 300; ++i) {
    std::uint64_t nonce = rng();
    auto lines = frame_at(kStart, nonce, bit_time);
    // Half the runs at the bound exactly (each edge +-10%), half uniformly inside it.
    bool at_bound = i % 2 == 0;
    for (auto& l : lines) {
      l.at += Duration(at_bound ? (extreme(rng) ? bound : -bound) : jitter(rng));
    }
    auto results = decode_all(lines);
    ASSERT_EQ(nonces_of(results), std::vector<std::uint64_t>{nonce}) << "run " << i;
  }
}

TEST(TickleCode, JitterFarBeyondTheBoundNeverYieldsAWrongNonce) {
  std::mt19937_64 rng(13);
  const Duration bit_time = 1ms;
  std::uniform_int_distribution<Duration::rep> jitter(-bit_time.count() / 3, bit_time.count() / 3);
  for (int i = 0; i < 300; ++i) {
    std::uint64_t nonce = rng();
    auto lines = frame_at(kStart, nonce, bit_time);
    for (auto& l : lines) l.at += Duration(jitter(rng));
    std::stable_sort(lines.begin(), lines.end(),
                     [](const Line& a, const Line& b) { return a.at < b.at; });
    for (auto n : nonces_of(decode_all(lines))) EXPECT_EQ(n, nonce);
  }
}

TEST(TickleCode, AMissingEdgeIsRejected) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 200; ++i) {
    std::uint64_t nonce = rng();
    auto lines = frame_at(kStart, nonce, 1ms);
    // Drop one edge after the preamble (the preamble tolerates a lost edge by design) and before
    // the last, which may be the return to idle after a complete frame.
    std::size_t drop = 20 + rng() % (lines.size() - 21);
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(drop));
    auto results = decode_all(lines);
    EXPECT_TRUE(nonces_of(results).empty()) << "drop " << drop;
  }
}

TEST(TickleCode, ExtraEdgesAreRejected) {
  std::mt19937_64 rng(19);
  const Duration bit_time = 1ms;
  int bad = 0;
  for (int i = 0; i < 300; ++i) {
    std::uint64_t nonce = rng();
    auto lines = frame_at(kStart, nonce, bit_time);
    // One glitch somewhere inside the data, of a width from 1% to 60% of a bit.
    auto offset = Duration(static_cast<Duration::rep>(
        bit_time.count() * 19 + rng() % static_cast<std::uint64_t>(bit_time.count() * 78)));
    auto width = Duration(static_cast<Duration::rep>(
        bit_time.count() / 100 + rng() % static_cast<std::uint64_t>(bit_time.count() * 6 / 10)));
    auto results = decode_all(with_glitches(lines, {{kStart + offset, width}}));
    auto got = nonces_of(results);
    // A glitch never produces a wrong nonce; it may fall on nothing that matters only when it
    // coincides with edges (it then merges with them and is gone).
    for (auto n : got) EXPECT_EQ(n, nonce);
    if (got.empty()) ++bad;
  }
  EXPECT_GT(bad, 250);
}

TEST(TickleCode, NoiseBeforeAndAfterAFrameIsIgnored) {
  std::mt19937_64 rng(23);
  const Duration bit_time = 2ms;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t nonce = rng();
    std::vector<Line> lines;
    TimePoint t = kStart;
    bool level = false;
    for (int k = 0; k < 40; ++k) {  // random edges, 0.1..3 bit times apart
      t += Duration(static_cast<Duration::rep>(
          bit_time.count() / 10 + rng() % static_cast<std::uint64_t>(bit_time.count() * 3)));
      level = !level;
      lines.push_back({t, level});
    }
    if (level) lines.push_back({t += bit_time * 3, false});
    auto frame = frame_at(t + bit_time * 5, nonce, bit_time);
    lines.insert(lines.end(), frame.begin(), frame.end());
    t = lines.back().at;
    level = false;
    for (int k = 0; k < 40; ++k) {
      t += Duration(static_cast<Duration::rep>(
          bit_time.count() / 10 + rng() % static_cast<std::uint64_t>(bit_time.count() * 3)));
      level = !level;
      lines.push_back({t, level});
    }
    EXPECT_EQ(nonces_of(decode_all(lines)), std::vector<std::uint64_t>{nonce}) << i;
  }
}

TEST(TickleCode, PureNoiseDecodesNothing) {
  std::mt19937_64 rng(29);
  TickleDecoder decoder;
  TimePoint t = kStart;
  bool level = false;
  int decoded = 0;
  for (int k = 0; k < 200000; ++k) {
    t += Duration(static_cast<Duration::rep>(1000 + rng() % 2000000));
    level = !level;
    if (decoder.feed(t, level).kind == Kind::kDecoded) ++decoded;
  }
  EXPECT_EQ(decoded, 0);
}

TEST(TickleCode, TwoNoncesBackToBack) {
  const Duration bit_time = 5ms;
  auto first = frame_at(kStart, 0x1111222233334444ULL, bit_time);
  auto second = frame_at(first.back().at + bit_time / 2, 0xfeedfacecafebeefULL, bit_time);
  first.insert(first.end(), second.begin(), second.end());
  EXPECT_EQ(nonces_of(decode_all(first)),
            (std::vector<std::uint64_t>{0x1111222233334444ULL, 0xfeedfacecafebeefULL}));
}

TEST(TickleCode, ATruncatedFrameThenAWholeOneDecodesTheWholeOne) {
  const Duration bit_time = 1ms;
  auto cut = frame_at(kStart, 1, bit_time);
  cut.resize(cut.size() / 2);
  if (cut.back().level) cut.push_back({cut.back().at + bit_time * 7, false});
  auto whole = frame_at(cut.back().at + bit_time * 20, 2, bit_time);
  cut.insert(cut.end(), whole.begin(), whole.end());
  auto results = decode_all(cut);
  EXPECT_EQ(nonces_of(results), std::vector<std::uint64_t>{2});
}

TEST(TickleCode, BitTimeOutsideTheOptionsIsNotLocked) {
  auto lines = frame_at(kStart, 99, 1ms);
  TickleDecoderOptions options;
  options.min_bit_time = 2ms;
  EXPECT_TRUE(nonces_of(decode_all(lines, options)).empty());
  options.min_bit_time = 500us;
  options.max_bit_time = 1500us;
  EXPECT_EQ(nonces_of(decode_all(lines, options)), std::vector<std::uint64_t>{99});
}

TEST(TickleCode, HugeGapsBreakTheFrameWithoutOverflow) {
  TickleDecoder decoder;
  EXPECT_EQ(decoder.feed(TimePoint(Duration(0)), true).kind, Kind::kNeedMore);
  EXPECT_EQ(
      decoder.feed(TimePoint(Duration(std::numeric_limits<Duration::rep>::max())), false).kind,
      Kind::kNeedMore);
  auto lines = frame_at(kStart, 6, 1ms);
  lines[50].at += std::chrono::hours(1);
  for (std::size_t i = 51; i < lines.size(); ++i) lines[i].at += std::chrono::hours(1);
  auto results = decode_all(lines);
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0].kind, Kind::kBad);
  EXPECT_STREQ(results[0].reason, "gap too long");
}

TEST(TickleCode, EdgesOutOfOrderBreakTheFrame) {
  auto lines = frame_at(kStart, 5, 1ms);
  std::swap(lines[40].at, lines[41].at);
  EXPECT_TRUE(nonces_of(decode_all(lines)).empty());
}

TEST(TickleWire, FormatAndParse) {
  WireEvent event{WireLine::kTickle, TimePoint(Duration(3600012500000)), true};
  EXPECT_EQ(format_wire_event(event), "NPW1 T 3600012500000 1");
  auto parsed = parse_wire_event("NPW1 T 3600012500000 1\n");
  ASSERT_TRUE(parsed.event);
  EXPECT_EQ(*parsed.event, event);
  WireEvent shutdown{WireLine::kShutdown, TimePoint(Duration(0)), false};
  EXPECT_EQ(parse_wire_event(format_wire_event(shutdown)).event, shutdown);
}

TEST(TickleWire, MalformedMessagesAreRefused) {
  for (std::string_view bad :
       {"", "NPW1", "NPW1 ", "NPW1 X 1 1", "NPW1 T  1", "NPW1 T 1 2", "NPW1 T -1 1", "NPW1 T 12a 1",
        "NPW2 T 1 1", "NPW1 T 99999999999999999999 1", "NPW1 T 1 1 1", "NPW1 T 1 1\n\n"}) {
    EXPECT_FALSE(parse_wire_event(bad).event) << bad;
  }
}

TEST(TickleWire, MessagesOfSeveralLines) {
  std::vector<WireEvent> events = {{WireLine::kTickle, TimePoint(Duration(10)), true},
                                   {WireLine::kTickle, TimePoint(Duration(20)), false},
                                   {WireLine::kShutdown, TimePoint(Duration(20)), true}};
  auto text = format_wire_message(events);
  EXPECT_EQ(text, "NPW1 T 10 1\nNPW1 T 20 0\nNPW1 S 20 1");
  std::vector<WireEvent> out;
  EXPECT_EQ(parse_wire_message(text + "\n", out), nullptr);
  EXPECT_EQ(out, events);
  EXPECT_NE(parse_wire_message("NPW1 T 20 1\nNPW1 T 10 0", out), nullptr);  // out of order
  EXPECT_TRUE(out.empty());
  EXPECT_NE(parse_wire_message("NPW1 T 20 1\nbogus", out), nullptr);
  EXPECT_NE(parse_wire_message("", out), nullptr);
  EXPECT_NE(parse_wire_message("NPW1 T 20 1\n\n", out), nullptr);
  std::string many;
  for (int i = 0; i < 33; ++i) many += "NPW1 T 1 1\n";
  EXPECT_NE(parse_wire_message(many, out), nullptr);
}

}  // namespace
}  // namespace netpower::core
