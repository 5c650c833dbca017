#include "collectors/pdu.h"

namespace netpower::collectors {

const char* to_string(PduFault fault) {
  switch (fault) {
    case PduFault::kNone:
      return "none";
    case PduFault::kLinkDown:
      return "link-down";
    case PduFault::kNoResponse:
      return "no-response";
    case PduFault::kRejected:
      return "rejected";
    case PduFault::kBadResponse:
      return "bad-response";
    case PduFault::kNoSuchPort:
      return "no-such-port";
  }
  return "unknown";
}

}  // namespace netpower::collectors
