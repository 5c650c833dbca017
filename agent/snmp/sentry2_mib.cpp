#include "agent/snmp/sentry2_mib.h"

#include <spdlog/spdlog.h>

#include "agent/snmp/sentry2_index.h"

namespace netpower::agent::snmp {

namespace {
const Oid kChainGroup = kSentry2Root + Oid{1};
const Oid kBoardEntry = kChainGroup + Oid{3, 1};
const Oid kPortEntry = kChainGroup + Oid{4, 1};
const Oid kErrorGroup = kSentry2Root + Oid{2};

// Columns of the tables (the index columns are not-accessible and never served).
enum BoardColumn : oid { kPageName = 2, kCodeVersion = 3, kTemperature = 4, kInputLoad = 5 };
enum PortColumn : oid {
  kPowerAction = 2,
  kDeviceName = 3,
  kControlStatus = 4,
  kModuleStatus = 5,
  kDeviceLoad = 6
};
}  // namespace

long sentry2_error_code(collectors::PduFault fault) {
  using collectors::PduFault;
  switch (fault) {
    case PduFault::kNone:
      return 0;
    case PduFault::kLinkDown:
      return kErrLinkTimeout;
    case PduFault::kNoResponse:
      return kErrOperationTimeout;
    case PduFault::kRejected:
      return kErrOperationNegative;
    case PduFault::kBadResponse:
      return kErrOperationInvalid;
    case PduFault::kNoSuchPort:
      return kErrPortNotAvailable;
  }
  return kErrOperationInvalid;
}

const MibTree& Sentry2Mib::tree() {
  if (built_for_ != model_.shape_generation()) rebuild();
  return tree_;
}

void Sentry2Mib::rebuild() {
  tree_.clear();
  add_chain_group();
  for (int b = 0; b < model_.board_count(); ++b) add_board_row(core::BoardId{b});
  for (int flat = 0; flat < model_.board_count() * core::kPortsPerBoard; ++flat) {
    add_port_row(core::PortId::from_flat(flat));
  }
  add_error_group();
  tree_.finish();
  built_for_ = model_.shape_generation();
  spdlog::debug("Sentry2-MIB serves {} instances for {} board(s)", tree_.size(),
                model_.board_count());
}

void Sentry2Mib::add_chain_group() {
  tree_.add_object(kChainGroup + Oid{1}, false);
  tree_.add_object(kChainGroup + Oid{2}, false);
  tree_.add({kChainGroup + Oid{1, 0},
             [this]() { return Value::string(model_.settings().location); },
             {},
             {}});
  if (model_.board_count() > 0) {
    tree_.add({kChainGroup + Oid{2, 0},
               [this]() { return Value::string(core::BoardId{model_.board_count() - 1}.str()); },
               {},
               {}});
  }
  for (oid column : {kPageName, kCodeVersion, kTemperature, kInputLoad}) {
    tree_.add_object(kBoardEntry + Oid{column}, false);
  }
  for (oid column : {kDeviceName, kControlStatus, kModuleStatus, kDeviceLoad}) {
    tree_.add_object(kPortEntry + Oid{column}, false);
  }
  tree_.add_object(kPortEntry + Oid{kPowerAction}, true);
}

void Sentry2Mib::add_board_row(core::BoardId board) {
  auto index = board_index(board);
  tree_.add({kBoardEntry + Oid{kPageName} + index,
             [this, board]() { return Value::string(model_.board(board).page_name); },
             {},
             {}});
  tree_.add({kBoardEntry + Oid{kCodeVersion} + index,
             [this, board]() { return Value::string(model_.board(board).code_version); },
             {},
             {}});
  tree_.add({kBoardEntry + Oid{kTemperature} + index,
             [this, board]() {
               return Value::string(temperature_text(model_.board(board).temperature_c));
             },
             {},
             {}});
  tree_.add({kBoardEntry + Oid{kInputLoad} + index,
             [this, board]() {
               return Value::string(input_load_text(model_.board(board).input_load_amps));
             },
             {},
             {}});
}

void Sentry2Mib::add_port_row(core::PortId port) {
  auto index = port_index(port);
  tree_.add({kPortEntry + Oid{kPowerAction} + index,
             []() { return Value::integer32(static_cast<long>(PowerAction::kNoop)); },
             [this, port](const SetRequest& r) { return check_power_action(port, r); },
             [this, port](const SetRequest& r) { return commit_power_action(port, r); }});
  tree_.add({kPortEntry + Oid{kDeviceName} + index,
             [this, port]() { return Value::string(model_.port(port).name); },
             {},
             {}});
  tree_.add(
      {kPortEntry + Oid{kControlStatus} + index,
       [this, port]() { return Value::string(control_status_text(model_.port(port).control)); },
       {},
       {}});
  tree_.add({kPortEntry + Oid{kModuleStatus} + index,
             [this, port]() { return Value::string(module_status_text(model_.port(port).module)); },
             {},
             {}});
  tree_.add({kPortEntry + Oid{kDeviceLoad} + index,
             [this, port]() {
               auto view = model_.port(port);
               return Value::string(device_load_text(view.load_amps, view.relay_on));
             },
             {},
             {}});
}

void Sentry2Mib::add_error_group() {
  tree_.add_object(kErrorGroup + Oid{1}, false);
  tree_.add_object(kErrorGroup + Oid{2}, false);
  tree_.add(
      {kErrorGroup + Oid{1, 0}, [this]() { return Value::integer32(error_request_id_); }, {}, {}});
  tree_.add({kErrorGroup + Oid{2, 0}, [this]() { return Value::integer32(error_code_); }, {}, {}});
}

int Sentry2Mib::check_power_action(core::PortId port, const SetRequest& request) {
  const auto& vb = request.varbind;
  if (vb.type != ASN_INTEGER || vb.val_len != sizeof(long)) return SNMP_ERR_WRONGTYPE;
  long value = *vb.val.integer;
  if (value < static_cast<long>(PowerAction::kOff) ||
      value > static_cast<long>(PowerAction::kNoop)) {
    return SNMP_ERR_WRONGVALUE;
  }
  if (value != static_cast<long>(PowerAction::kNoop) && model_.port(port).locked) {
    // Refused before anything of the request is done; the error group says why.
    error_request_id_ = request.request_id;
    error_code_ = kErrOperationNegative;
    spdlog::warn("SNMP power action {} on .{} refused: the port is locked (sentry2ErrorCode {})",
                 to_string(static_cast<PowerAction>(value)), port.str(), error_code_);
    return SNMP_ERR_INCONSISTENTVALUE;
  }
  return SNMP_ERR_NOERROR;
}

int Sentry2Mib::commit_power_action(core::PortId port, const SetRequest& request) {
  auto action = static_cast<PowerAction>(*request.varbind.val.integer);
  auto result = model_.act(port, action);
  if (result.ok()) return SNMP_ERR_NOERROR;
  error_request_id_ = request.request_id;
  error_code_ = result.outcome == ActionResult::Outcome::kLocked
                    ? kErrOperationNegative
                    : sentry2_error_code(result.hardware.fault);
  spdlog::warn("SNMP power action {} on .{} failed: {} (sentry2ErrorCode {})", to_string(action),
               port.str(), result.hardware.detail, error_code_);
  return SNMP_ERR_GENERR;
}

}  // namespace netpower::agent::snmp
