#include "bench/agent_farm/recording.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "manager/snmp/ber.h"

namespace netpower::bench {

namespace {

namespace d = manager::snmp;

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  if (hex == "-") return out;
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd number of hex digits");
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

std::vector<RecordedVarbind> load_recording(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<RecordedVarbind> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string oid_text, type, value;
    fields >> oid_text >> type >> value;
    auto fail = [&](const std::string& why) {
      return std::runtime_error(file.string() + ":" + std::to_string(number) + ": " + why);
    };
    auto oid = manager::snmp::parse_oid(oid_text);
    if (!oid) throw fail("bad OID '" + oid_text + "'");
    d::BerEncoder enc(64);
    const auto mark = enc.mark();
    try {
      if (type == "INTEGER") {
        enc.integer(std::stoll(value));
      } else if (type == "STRING") {
        const auto bytes = from_hex(value);
        enc.octets(std::span<const std::uint8_t>(bytes));
      } else if (type == "OID") {
        auto v = manager::snmp::parse_oid(value);
        if (!v || !enc.oid(*v)) throw fail("bad OID value '" + value + "'");
      } else if (type == "Counter32") {
        enc.unsigned_integer(std::stoull(value), d::kTagCounter32);
      } else if (type == "Gauge32") {
        enc.unsigned_integer(std::stoull(value), d::kTagGauge32);
      } else if (type == "Timeticks") {
        enc.unsigned_integer(std::stoull(value), d::kTagTimeTicks);
      } else if (type == "Counter64") {
        enc.unsigned_integer(std::stoull(value), d::kTagCounter64);
      } else {
        throw fail("unknown type '" + type + "'");
      }
    } catch (const std::invalid_argument&) {
      throw fail("bad value '" + value + "'");
    }
    if (!enc.oid(*oid)) throw fail("OID cannot be encoded");
    enc.wrap(d::kTagSequence, mark);
    out.push_back({std::move(*oid), enc.take()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.oid < b.oid; });
  return out;
}

}  // namespace netpower::bench
