#pragma once
// BER primitives for SNMP, shared by every user of the library (X.690 definite lengths, single-byte
// tags): an encoder that writes backwards — so every length is known when its header is written and
// a position measured from the end never moves — and a bounded reader. No I/O.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/snmp/varbind.h"

namespace netpower::manager::snmp {

// BER tags (X.690 universal, RFC 2578 application, RFC 3416 context).
inline constexpr std::uint8_t kTagInteger = 0x02;
inline constexpr std::uint8_t kTagOctetString = 0x04;
inline constexpr std::uint8_t kTagNull = 0x05;
inline constexpr std::uint8_t kTagOid = 0x06;
inline constexpr std::uint8_t kTagSequence = 0x30;
inline constexpr std::uint8_t kTagIpAddress = 0x40;
inline constexpr std::uint8_t kTagCounter32 = 0x41;
inline constexpr std::uint8_t kTagGauge32 = 0x42;
inline constexpr std::uint8_t kTagTimeTicks = 0x43;
inline constexpr std::uint8_t kTagOpaque = 0x44;
inline constexpr std::uint8_t kTagCounter64 = 0x46;
inline constexpr std::uint8_t kTagNoSuchObject = 0x80;
inline constexpr std::uint8_t kTagNoSuchInstance = 0x81;
inline constexpr std::uint8_t kTagEndOfMibView = 0x82;
inline constexpr std::uint8_t kPduGet = 0xA0;
inline constexpr std::uint8_t kPduGetNext = 0xA1;
inline constexpr std::uint8_t kPduResponse = 0xA2;
inline constexpr std::uint8_t kPduSet = 0xA3;
inline constexpr std::uint8_t kPduTrapV1 = 0xA4;
inline constexpr std::uint8_t kPduGetBulk = 0xA5;
inline constexpr std::uint8_t kPduInform = 0xA6;
inline constexpr std::uint8_t kPduTrapV2 = 0xA7;
inline constexpr std::uint8_t kPduReport = 0xA8;

inline constexpr std::size_t kMaxOidArcs = 128;  // RFC 2578 3.5

// Writes TLVs from the end of the message towards its start: write the content of a constructed
// value first, then wrap(tag, mark) it. Positions are kept as distances from the end.
class BerEncoder {
 public:
  explicit BerEncoder(std::size_t capacity = 512);

  std::size_t size() const { return buf_.size() - start_; }
  // The current size: pass to wrap() after writing a constructed value's content.
  std::size_t mark() const { return size(); }
  void wrap(std::uint8_t tag, std::size_t mark);

  void raw(std::span<const std::uint8_t> bytes);
  void header(std::uint8_t tag, std::size_t length);
  void integer(std::int64_t value, std::uint8_t tag = kTagInteger);
  void unsigned_integer(std::uint64_t value, std::uint8_t tag);
  void octets(std::span<const std::uint8_t> bytes, std::uint8_t tag = kTagOctetString);
  void octets(std::string_view bytes, std::uint8_t tag = kTagOctetString);
  void null(std::uint8_t tag = kTagNull);
  // Returns false (writing nothing) if the OID cannot be encoded.
  bool oid(const Oid& oid);

  // The encoded bytes so far (valid until the next write).
  std::span<std::uint8_t> bytes() { return {buf_.data() + start_, size()}; }
  std::vector<std::uint8_t> take() const { return {buf_.begin() + start_, buf_.end()}; }

 private:
  std::uint8_t* grow(std::size_t n);  // room for n more bytes in front; returns where they go

  std::vector<std::uint8_t> buf_;
  std::size_t start_;
};

struct Tlv {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> content;
  std::span<const std::uint8_t> whole;  // tag, length and content
};

// Reads definite-length TLVs; every length is bounded by the bytes present.
class BerReader {
 public:
  explicit BerReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool empty() const { return pos_ == bytes_.size(); }
  bool next(Tlv& tlv);
  bool expect(std::uint8_t tag, Tlv& tlv) { return next(tlv) && tlv.tag == tag; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

bool decode_integer(std::span<const std::uint8_t> content, std::int64_t& out);  // <= 8 bytes
bool decode_int32(std::span<const std::uint8_t> content, std::int32_t& out);
// Unsigned of at most max_bytes (one extra leading zero byte allowed).
bool decode_unsigned(std::span<const std::uint8_t> content, std::size_t max_bytes,
                     std::uint64_t& out);
bool decode_oid(std::span<const std::uint8_t> content, Oid& out);
bool decode_oid_text(std::span<const std::uint8_t> content, std::string& out);
// A varbind's value TLV into `vb` (type and value); false if malformed or of an unknown tag.
bool decode_value(const Tlv& tlv, Varbind& vb);
// `vb`'s value as a TLV (what a SET carries); false (writing nothing) if it cannot be encoded: an
// INTEGER outside Integer32, an unsigned 32-bit type above 2^32-1, an OID or IpAddress whose text
// does not parse.
bool encode_value(BerEncoder& out, const Varbind& vb);

}  // namespace netpower::manager::snmp
