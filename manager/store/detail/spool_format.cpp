#include "manager/store/detail/spool_format.h"

#include <bit>
#include <cstring>

#include "manager/store/detail/crc32.h"

namespace netpower::manager::store::detail {

namespace {

// Upper bounds that no real batch reaches; a length beyond them is corruption, not data.
constexpr std::uint32_t kMaxPayload = 1u << 30;
constexpr std::uint32_t kMaxString = 16u << 20;
constexpr std::uint8_t kMaxObjectKind = static_cast<std::uint8_t>(ObjectKind::kAgent);
constexpr std::uint8_t kMaxEventKind = static_cast<std::uint8_t>(EventKind::kNote);

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  std::string& out() { return out_; }

 private:
  void le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in, std::size_t base) : in_(in), base_(base) {}
  bool u8(std::uint8_t& v) {
    if (!need(1)) return false;
    v = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }
  bool u16(std::uint16_t& v) { return le(v); }
  bool u32(std::uint32_t& v) { return le(v); }
  bool u64(std::uint64_t& v) { return le(v); }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n)) return false;
    if (n > kMaxString) {
      error_ = "string length " + std::to_string(n) + " too large";
      return false;
    }
    if (!need(n)) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }
  std::size_t offset() const { return base_ + pos_; }
  const std::string& error() const { return error_; }
  void set_error(std::string e) { error_ = std::move(e); }

 private:
  bool need(std::size_t n) {
    if (in_.size() - pos_ < n) {
      if (error_.empty()) error_ = "record runs past the end of the payload";
      return false;
    }
    return true;
  }
  template <typename T>
  bool le(T& v) {
    if (!need(sizeof(T))) return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      x |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    }
    v = static_cast<T>(x);
    pos_ += sizeof(T);
    return true;
  }
  std::string_view in_;
  std::size_t base_;
  std::size_t pos_ = 0;
  std::string error_;
};

SpoolParse fail(SpoolParse::Status status, std::string error) {
  SpoolParse p;
  p.status = status;
  p.error = std::move(error);
  return p;
}

std::uint32_t header_crc(std::string_view header_fields, std::string_view payload) {
  return crc32(payload.data(), payload.size(), crc32(header_fields.data(), header_fields.size()));
}

}  // namespace

std::string encode_spool(const Batch& batch) {
  Writer payload;
  payload.str(batch.id);
  for (const auto& s : batch.samples) {
    payload.str(s.agent);
    payload.u8(static_cast<std::uint8_t>(s.kind));
    payload.str(s.key);
    payload.str(s.metric);
    payload.u64(static_cast<std::uint64_t>(s.time.time_since_epoch().count()));
    payload.u64(std::bit_cast<std::uint64_t>(s.value));
  }
  for (const auto& e : batch.events) {
    payload.str(e.agent);
    payload.u64(static_cast<std::uint64_t>(e.time.time_since_epoch().count()));
    payload.u8(static_cast<std::uint8_t>(e.kind));
    payload.str(e.oid);
    payload.str(e.varbinds_json);
    payload.str(e.text);
  }
  Writer file;
  file.out().append(kSpoolMagic);
  file.u16(kSpoolVersion);
  file.u16(0);
  file.u32(static_cast<std::uint32_t>(batch.samples.size()));
  file.u32(static_cast<std::uint32_t>(batch.events.size()));
  file.u32(static_cast<std::uint32_t>(payload.out().size()));
  file.u32(header_crc(std::string_view(file.out()).substr(8, 16), payload.out()));
  file.out().append(payload.out());
  return std::move(file.out());
}

SpoolParse parse_spool_header(std::string_view bytes) {
  using S = SpoolParse::Status;
  if (bytes.size() < kSpoolMagic.size()) {
    if (kSpoolMagic.substr(0, bytes.size()) != bytes)
      return fail(S::kBad, "not a spool file (magic)");
    return fail(S::kTruncated, "file shorter than the header");
  }
  if (bytes.substr(0, kSpoolMagic.size()) != kSpoolMagic)
    return fail(S::kBad, "not a spool file (magic)");
  if (bytes.size() < kSpoolHeaderSize) return fail(S::kTruncated, "file shorter than the header");
  Reader r(bytes.substr(8, kSpoolHeaderSize - 8), 8);
  std::uint16_t version = 0;
  std::uint16_t flags = 0;
  SpoolParse p;
  std::uint32_t crc = 0;
  r.u16(version);
  r.u16(flags);
  r.u32(p.header.samples);
  r.u32(p.header.events);
  r.u32(p.header.payload_length);
  r.u32(crc);
  if (version != kSpoolVersion) {
    return fail(S::kBad, "unsupported spool format version " + std::to_string(version));
  }
  if (flags != 0) return fail(S::kBad, "unknown flags " + std::to_string(flags));
  if (p.header.payload_length > kMaxPayload) {
    return fail(S::kBad,
                "payload length " + std::to_string(p.header.payload_length) + " too large");
  }
  // The smallest sample is 29 bytes, the smallest event 29: counts that cannot fit are corrupt.
  const std::uint64_t min_bytes = 4 + 29ull * p.header.samples + 29ull * p.header.events;
  if (min_bytes > p.header.payload_length) {
    return fail(S::kBad, "record counts do not fit the payload length");
  }
  p.status = S::kOk;
  return p;
}

SpoolParse parse_spool(std::string_view bytes) {
  using S = SpoolParse::Status;
  SpoolParse p = parse_spool_header(bytes);
  if (p.status != S::kOk) return p;
  const std::uint64_t end = kSpoolHeaderSize + static_cast<std::uint64_t>(p.header.payload_length);
  if (bytes.size() < end) {
    return fail(S::kTruncated, "payload truncated: " + std::to_string(bytes.size()) + " of " +
                                   std::to_string(end) + " bytes");
  }
  if (bytes.size() > end) return fail(S::kBad, "trailing bytes after the payload");
  auto payload = bytes.substr(kSpoolHeaderSize, p.header.payload_length);
  std::uint32_t stored = 0;
  std::memcpy(&stored, bytes.data() + 24, 4);
  if constexpr (std::endian::native == std::endian::big) stored = __builtin_bswap32(stored);
  if (header_crc(bytes.substr(8, 16), payload) != stored) return fail(S::kBad, "checksum mismatch");

  // From here the bytes are what the writer wrote (or a collision): still parse defensively.
  Reader r(payload, kSpoolHeaderSize);
  auto bad = [&](const char* what) {
    return fail(S::kBad, std::string(what) + " at offset " + std::to_string(r.offset()) +
                             (r.error().empty() ? "" : ": " + r.error()));
  };
  if (!r.str(p.batch.id) || p.batch.id.empty()) return bad("bad batch id");
  p.batch.samples.reserve(p.header.samples);
  for (std::uint32_t i = 0; i < p.header.samples; ++i) {
    Sample s;
    std::uint8_t kind = 0;
    std::uint64_t time = 0;
    std::uint64_t value = 0;
    if (!r.str(s.agent) || !r.u8(kind) || !r.str(s.key) || !r.str(s.metric) || !r.u64(time) ||
        !r.u64(value)) {
      return bad("bad sample");
    }
    if (kind > kMaxObjectKind) return bad("bad object kind");
    s.kind = static_cast<ObjectKind>(kind);
    s.time = WallTime(std::chrono::microseconds(static_cast<std::int64_t>(time)));
    s.value = std::bit_cast<double>(value);
    p.batch.samples.push_back(std::move(s));
  }
  p.batch.events.reserve(p.header.events);
  for (std::uint32_t i = 0; i < p.header.events; ++i) {
    Event e;
    std::uint8_t kind = 0;
    std::uint64_t time = 0;
    if (!r.str(e.agent) || !r.u64(time) || !r.u8(kind) || !r.str(e.oid) ||
        !r.str(e.varbinds_json) || !r.str(e.text)) {
      return bad("bad event");
    }
    if (kind > kMaxEventKind) return bad("bad event kind");
    e.kind = static_cast<EventKind>(kind);
    e.time = WallTime(std::chrono::microseconds(static_cast<std::int64_t>(time)));
    p.batch.events.push_back(std::move(e));
  }
  if (!r.done()) return bad("unused bytes in the payload");
  p.status = S::kOk;
  return p;
}

}  // namespace netpower::manager::store::detail
