#include "manager/actions/outlet_io.h"

#include "manager/mib/oids.h"
#include "manager/mib/sentry2.h"
#include "manager/snmp/ber.h"
#include "manager/snmp/message.h"

namespace netpower::manager::actions {

namespace {

constexpr std::int64_t kPowerOff = 1;
constexpr std::int64_t kPowerOn = 2;

std::string refusal_text(const OutletCommand& command, const snmp::Response& r) {
  std::string text = snmp::error_status_name(r.error_status);
  if (command.kind == OutletCommand::Kind::kTickle) {
    if (r.error_status == snmp::kInconsistentValue) return text + " (a tickle is still being sent)";
    if (r.error_status == snmp::kNoSuchName || r.error_status == snmp::kNotWritable ||
        r.error_status == snmp::kNoCreation || r.error_status == snmp::kNoAccess) {
      return text + " (no writable tickle table on this agent for this port)";
    }
  } else if (r.error_status == snmp::kInconsistentValue || r.error_status == snmp::kWrongValue) {
    return text + " (the agent refused: the port may be locked or held by its minimum times)";
  }
  return text;
}

}  // namespace

std::string nonce_octets(std::uint64_t nonce) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(nonce & 0xff);
    nonce >>= 8;
  }
  return out;
}

snmp::RequestPdu request_for(const OutletCommand& command, const std::string& port) {
  snmp::RequestPdu pdu;
  switch (command.kind) {
    case OutletCommand::Kind::kTickle:
      pdu.type = snmp::kPduSet;
      pdu.varbinds.push_back(snmp::octets_value(mib::netpower_tickle_oid(mib::kTickleNonce, port),
                                                nonce_octets(command.nonce)));
      break;
    case OutletCommand::Kind::kSwitch:
      pdu.type = snmp::kPduSet;
      pdu.varbinds.push_back(snmp::integer_value(mib::sentry2_port_oid(mib::kPortPowerAction, port),
                                                 command.on ? kPowerOn : kPowerOff));
      break;
    case OutletCommand::Kind::kRead:
      pdu.type = snmp::kPduGet;
      pdu.oids = {mib::sentry2_port_oid(mib::kPortControlStatus, port),
                  mib::sentry2_port_oid(mib::kPortDeviceLoad, port)};
      break;
  }
  return pdu;
}

SetResult set_result(const OutletCommand& command, const snmp::Response& response) {
  SetResult out;
  if (response.ok()) return out;
  switch (response.error) {
    case snmp::Error::kErrorStatus:
      out.kind = SetResult::Kind::kRefused;
      out.text = refusal_text(command, response);
      break;
    case snmp::Error::kTimeout:
      out.kind = SetResult::Kind::kTimeout;
      out.text = "no answer from the agent";
      break;
    default:
      out.kind = SetResult::Kind::kError;
      out.text = snmp::to_string(response.error);
      if (!response.error_text.empty()) out.text += ": " + response.error_text;
      break;
  }
  return out;
}

ReadResult read_result(const snmp::Response& response) {
  ReadResult out;
  if (!response.ok()) {
    out.error = snmp::to_string(response.error);
    if (response.error == snmp::Error::kErrorStatus) {
      out.error += " " + snmp::error_status_name(response.error_status);
    }
    return out;
  }
  if (response.varbinds.size() != 2) {
    out.error = "the agent answered " + std::to_string(response.varbinds.size()) + " varbinds";
    return out;
  }
  const auto& control = response.varbinds[0];
  const auto& load = response.varbinds[1];
  if (control.type != snmp::ValueType::kOctetString) {
    out.error = std::string("no control status (") + snmp::to_string(control.type) + ")";
    return out;
  }
  out.ok = true;
  out.control = control.octets;
  if (load.type == snmp::ValueType::kOctetString) {
    out.load_text = load.octets;
    out.load_amps = mib::parse_sentry2_quantity(load.octets, "A");
  } else {
    out.load_text = "N/A";
  }
  return out;
}

}  // namespace netpower::manager::actions
