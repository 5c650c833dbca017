#pragma once
// The Sentry2-MIB of the patent (TABLE X) served from the chain model: chain scalars, board table,
// port table and error group under enterprises.1718.2.

#include <cstdint>
#include <limits>

#include "agent/model/chain_model.h"
#include "agent/snmp/mib_tree.h"

namespace netpower::agent::snmp {

// sentry2RemotePowerManager
inline const Oid kSentry2Root = {1, 3, 6, 1, 4, 1, 1718, 2};

// sentry2ErrorCode values.
enum Sentry2Error : long {
  kErrPortNotAvailable = 100,
  kErrLinkTimeout = 200,
  kErrLinkNegative = 210,
  kErrLinkInvalid = 220,
  kErrLastBoardQuery = 240,
  kErrQueryFailure = 300,
  kErrOperationTimeout = 400,
  kErrOperationNegative = 410,
  kErrOperationInvalid = 420,
  kErrSessionLost = 1000,
};
long sentry2_error_code(collectors::PduFault fault);

class Sentry2Mib {
 public:
  explicit Sentry2Mib(ChainModel& model) : model_(model) {}

  // The instances to serve now; rebuilt when the chain's number of boards changed. Loop thread.
  const MibTree& tree();

  long last_error_request_id() const { return error_request_id_; }
  long last_error_code() const { return error_code_; }

 private:
  void rebuild();
  void add_chain_group();
  void add_board_row(core::BoardId board);
  void add_port_row(core::PortId port);
  void add_error_group();
  int check_power_action(core::PortId port, const SetRequest& request);
  int commit_power_action(core::PortId port, const SetRequest& request);

  ChainModel& model_;
  MibTree tree_;
  std::uint64_t built_for_ = std::numeric_limits<std::uint64_t>::max();
  long error_request_id_ = 0;
  long error_code_ = 0;
};

}  // namespace netpower::agent::snmp
