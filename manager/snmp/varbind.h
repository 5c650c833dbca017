#pragma once
// The SNMP library's vocabulary: OIDs and variable bindings with their SMI types, as the codec
// (ber.h) decodes and encodes them for the poller, the trap receiver and the client's SET. OIDs are
// kept as arcs (walks compare and prefix-test them constantly) and printed as "1.3.6.1..." without
// a leading dot, as everywhere else in the manager.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netpower::manager::snmp {

using Oid = std::vector<std::uint32_t>;

std::string to_string(const Oid& oid);  // "1.3.6.1.2.1.1.3.0"
// "1.3.6.1..." or ".1.3.6.1..."; nullopt unless at least two arcs, each a 32-bit number, the
// first 0..2 (and the second < 40 below 2), as BER can encode them.
std::optional<Oid> parse_oid(std::string_view text);
// True when `oid` is `prefix` or lies below it.
bool starts_with(const Oid& oid, const Oid& prefix);

// SMI types (RFC 2578) and the v2 exceptions (RFC 3416).
enum class ValueType : std::uint8_t {
  kInteger,      // INTEGER / Integer32: `integer`
  kOctetString,  // `octets` (raw bytes)
  kNull,
  kOid,           // `octets`: numeric OID text, no leading dot
  kIpAddress,     // `octets`: dotted quad
  kCounter32,     // `number`
  kGauge32,       // `number`
  kTimeTicks,     // `number` (hundredths of a second)
  kOpaque,        // `octets` (raw bytes)
  kCounter64,     // `number`
  kNoSuchObject,  // exceptions: no value
  kNoSuchInstance,
  kEndOfMibView,
};
// As the net-snmp tools print them: "INTEGER", "STRING", "NULL", "OID", "IpAddress", "Counter32",
// "Gauge32", "Timeticks", "Opaque", "Counter64", "noSuchObject", "noSuchInstance", "endOfMibView".
const char* to_string(ValueType type);
bool is_exception(ValueType type);

struct Varbind {
  Oid oid;
  ValueType type = ValueType::kNull;
  std::int64_t integer = 0;
  std::uint64_t number = 0;
  std::string octets;

  // The value as text: the number, the string's bytes, the OID or address; "" for NULL and the
  // exceptions.
  std::string value_text() const;
  bool operator==(const Varbind&) const = default;
};

// Typed values for a SET (and for tests): the varbind `oid` = value.
Varbind integer_value(Oid oid, std::int64_t value);  // INTEGER / Integer32
Varbind octets_value(Oid oid, std::string bytes);    // OCTET STRING
Varbind oid_value(Oid oid, const Oid& value);        // OBJECT IDENTIFIER
Varbind ip_value(Oid oid, std::string dotted_quad);  // IpAddress "10.1.2.3"
Varbind unsigned_value(Oid oid, ValueType type,
                       std::uint64_t v);  // Counter32/Gauge32/TimeTicks/Counter64
Varbind null_value(Oid oid);              // NULL (GET-style)

}  // namespace netpower::manager::snmp
