#pragma once
// PollResults and DecodedTraps as the poller and the trap receiver hand them over: varbinds with
// OID arcs and SMI types, the Sentry2 indexes without a length arc ("A1" = .65.49). Shared by the
// state cache's and the exporter's tests and the exporter's benchmark.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manager/poller/poller.h"
#include "manager/traps/decoded_trap.h"

namespace netpower::manager::testing {

using poller::Oid;
using poller::ValueType;
using poller::Varbind;

inline const Oid kSentry2Chain = {1, 3, 6, 1, 4, 1, 1718, 2, 1};
inline const Oid kBoardEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1};
inline const Oid kPortEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1};
inline const Oid kNpPortEntry = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 3, 1};
inline const Oid kUps = {1, 3, 6, 1, 2, 1, 33, 1};

inline Oid cat(Oid a, const Oid& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
// A fixed-size string index: one arc per character.
inline Oid index_of(std::string_view id) {
  Oid out;
  for (char c : id) out.push_back(static_cast<std::uint32_t>(static_cast<unsigned char>(c)));
  return out;
}
inline Oid board_oid(std::uint32_t column, std::string_view board) {
  return cat(cat(kBoardEntry, {column}), index_of(board));
}
inline Oid port_oid(std::uint32_t column, std::string_view port) {
  return cat(cat(kPortEntry, {column}), index_of(port));
}
inline Oid np_port_oid(std::uint32_t column, std::string_view port) {
  return cat(cat(kNpPortEntry, {column}), index_of(port));
}
inline Oid ups_oid(const Oid& below) { return cat(kUps, below); }

inline Varbind str(Oid oid, std::string value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kOctetString;
  vb.octets = std::move(value);
  return vb;
}
inline Varbind integer(Oid oid, std::int64_t value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kInteger;
  vb.integer = value;
  return vb;
}
inline Varbind gauge(Oid oid, std::uint64_t value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kGauge32;
  vb.number = value;
  return vb;
}
inline Varbind oid_value(Oid oid, std::string value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kOid;
  vb.octets = std::move(value);
  return vb;
}
inline Varbind exception(Oid oid, ValueType type = ValueType::kNoSuchObject) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = type;
  return vb;
}

struct PortRow {
  std::string id;  // "A1"
  std::string name;
  std::string control = "On";
  std::string module = "Normal";
  std::string load = "1.00A";
  std::string group;        // NETPOWER-MIB
  std::int64_t locked = 2;  // TruthValue; 0: not served
};
struct BoardRow {
  std::string id;  // "A"
  std::string page_name;
  std::string code_version = "v4.0c";
  std::string temperature = "27.0 Deg C";
  std::string input_load = "10.00A";
};

// The varbinds of a walk of the Sentry2 chain group and the NETPOWER port table, column by column
// as GETBULK returns them (rows in index order within each column).
inline std::vector<Varbind> sentry2_walk(const std::string& location,
                                         const std::vector<BoardRow>& boards,
                                         const std::vector<PortRow>& ports) {
  std::vector<Varbind> out;
  out.push_back(str(cat(kSentry2Chain, {1, 0}), location));
  out.push_back(str(cat(kSentry2Chain, {2, 0}), boards.empty() ? "" : boards.back().id));
  for (std::uint32_t col = 2; col <= 5; ++col) {
    for (const auto& b : boards) {
      const std::string& v = col == 2   ? b.page_name
                             : col == 3 ? b.code_version
                             : col == 4 ? b.temperature
                                        : b.input_load;
      out.push_back(str(board_oid(col, b.id), v));
    }
  }
  for (const auto& p : ports) out.push_back(integer(port_oid(2, p.id), 4));  // noop on GET
  for (std::uint32_t col = 3; col <= 6; ++col) {
    for (const auto& p : ports) {
      const std::string& v = col == 3   ? p.name
                             : col == 4 ? p.control
                             : col == 5 ? p.module
                                        : p.load;
      out.push_back(str(port_oid(col, p.id), v));
    }
  }
  for (const auto& p : ports) out.push_back(str(np_port_oid(3, p.id), p.group));
  for (const auto& p : ports) {
    if (p.locked != 0) out.push_back(integer(np_port_oid(8, p.id), p.locked));
  }
  return out;
}

inline poller::PollResult poll_result(
    const std::string& agent, std::vector<Varbind> varbinds, std::uint64_t number = 1,
    model::WallTime started = model::WallTime(std::chrono::seconds(1'700'000'000))) {
  poller::PollResult r;
  r.agent = agent;
  r.poll_number = number;
  r.started = started;
  r.duration = std::chrono::microseconds(12'500);
  r.varbinds = std::move(varbinds);
  r.requests = 3;
  return r;
}

inline traps::Varbind trap_str(const Oid& oid, std::string value) {
  traps::Varbind vb;
  vb.oid = oid;
  vb.type = traps::ValueType::kOctetString;
  vb.octets = std::move(value);
  return vb;
}

inline traps::DecodedTrap trap(
    const std::string& agent, const std::string& trap_oid, std::vector<traps::Varbind> varbinds,
    model::WallTime received = model::WallTime(std::chrono::seconds(1'700'000'100))) {
  traps::DecodedTrap t;
  t.agent = agent;
  t.source_address = "127.0.0.1";
  t.source_port = 50000;
  t.received = received;
  t.trap_oid = trap_oid;
  t.varbinds = std::move(varbinds);
  return t;
}

// A Sentry2 port notification (sentry2Events.<n>) as the agent sends it: chain location, the
// port's index object and device name, then `column` of the port.
inline traps::DecodedTrap sentry2_port_trap(const std::string& agent, int n, std::string_view port,
                                            std::uint32_t column, std::string value,
                                            std::string name = "dev") {
  return trap(
      agent, "1.3.6.1.4.1.1718.2.100.0." + std::to_string(n),
      {trap_str(cat(kSentry2Chain, {1, 0}), "rack 12"),
       trap_str(port_oid(1, port), std::string(port)), trap_str(port_oid(3, port), std::move(name)),
       trap_str(port_oid(column, port), std::move(value))});
}

inline traps::DecodedTrap sentry2_board_trap(const std::string& agent, int n,
                                             std::string_view board, std::uint32_t column,
                                             std::string value) {
  return trap(agent, "1.3.6.1.4.1.1718.2.100.0." + std::to_string(n),
              {trap_str(cat(kSentry2Chain, {1, 0}), "rack 12"),
               trap_str(board_oid(1, board), std::string(board)),
               trap_str(board_oid(2, board), "page " + std::string(board)),
               trap_str(board_oid(column, board), std::move(value))});
}

}  // namespace netpower::manager::testing
