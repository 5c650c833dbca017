// Fuzzes the tickle decoder, the pattern-bytes parser and the wire-message parser with outside
// bytes. The input is read three ways:
//  - as pattern bytes, one wire line and one wire datagram (the parsers must not crash, and
//    what parses must round-trip);
//  - as a stream of edges: each 3 bytes are a 16-bit little-endian gap (in units of 1/64 of the
//    bit time carried by the first byte) and a level byte (bit 0);
//  - as a frame of the nonce in the first 8 bytes with those edges' gaps used as jitter and the
//    level bytes' bit 1 as "drop this edge".
// Checks the decoder's promises: no crash, no frame decoded at a bit time outside its options.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/tickle_code.h"
#include "core/tickle_wire.h"

namespace {

using namespace netpower::core;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_result(const TickleDecodeResult& r, const TickleDecoderOptions& options) {
  if (r.kind == TickleDecodeResult::Kind::kDecoded) {
    check(r.bit_time >= options.min_bit_time && r.bit_time <= options.max_bit_time);
  }
  if (r.kind == TickleDecodeResult::Kind::kBad) check(r.reason != nullptr && *r.reason != 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);

  if (auto pattern = parse_tickle_pattern(bytes)) {
    check(serialize_tickle_pattern(*pattern) ==
          std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    auto edges = tickle_edges(*pattern);
    check(edges.size() <= pattern->bits.size() * 2 + 1);
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto wire = parse_wire_event(text);
  if (wire.event) check(parse_wire_event(format_wire_event(*wire.event)).event == wire.event);
  std::vector<WireEvent> events;
  if (parse_wire_message(text, events) == nullptr) {
    check(!events.empty() && events.size() <= kMaxWireEventsPerMessage);
    std::vector<WireEvent> again;
    check(parse_wire_message(format_wire_message(events), again) == nullptr && again == events);
  } else {
    check(events.empty());
  }

  if (size < 1) return 0;
  const Duration unit = std::chrono::microseconds(1 + data[0]) * 16;  // bit time / 64
  TickleDecoderOptions options;
  options.min_bit_time = std::chrono::microseconds(10);
  options.max_bit_time = std::chrono::seconds(1);

  TickleDecoder raw(options);
  TimePoint t{std::chrono::hours(1)};
  for (std::size_t i = 1; i + 3 <= size; i += 3) {
    auto gap = static_cast<unsigned>(data[i]) | (static_cast<unsigned>(data[i + 1]) << 8);
    t += unit * gap;
    check_result(raw.feed(t, (data[i + 2] & 1) != 0), options);
  }

  if (size < 8) return 0;
  std::uint64_t nonce = 0;
  for (std::size_t i = 0; i < 8; ++i) nonce = (nonce << 8) | data[i];
  const Duration bit_time = unit * 64;
  auto edges = tickle_edges(make_tickle_pattern(nonce, bit_time));
  TickleDecoder framed(options);
  const TimePoint start{std::chrono::hours(2)};
  TimePoint last = start;
  std::size_t k = 8;
  for (const auto& e : edges) {
    Duration jitter{0};
    bool drop = false;
    if (k + 2 <= size) {
      jitter = unit * static_cast<std::int8_t>(data[k]) / 8;
      drop = (data[k + 1] & 2) != 0;
      k += 2;
    }
    if (drop) continue;
    TimePoint at = start + e.offset + jitter;
    if (at < last) at = last;
    last = at;
    check_result(framed.feed(at, e.level), options);
  }
  return 0;
}
