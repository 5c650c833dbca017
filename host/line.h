#pragma once
// The line a host listens to: the changes of its outlet's tickle and shutdown signals, with their
// times. One small interface, three sources: the simulator's wire (tested), a serial port's
// modem-status inputs and a GPIO line (untested without hardware; docs/host.md).

#include <functional>
#include <memory>
#include <string>

#include "core/event_loop.h"
#include "core/tickle_wire.h"
#include "host/host_config.h"

namespace netpower::host {

class Line {
 public:
  using Handler = std::function<void(const core::WireEvent&)>;
  virtual ~Line() = default;
  // Starts delivering the line's changes to `handler`, on `loop`'s thread, until destruction.
  // Times are on the source's clock (the sender's for the sim wire, CLOCK_MONOTONIC for hardware);
  // only differences between them matter. Throws std::system_error when the line cannot be opened.
  virtual void start(core::EventLoop& loop, Handler handler) = 0;
  // For logs: "sim wire /run/x.sock", "serial /dev/ttyS0 dcd".
  virtual std::string describe() const = 0;
  // Messages or events received that made no sense (malformed datagrams, lost interrupts).
  virtual std::uint64_t malformed() const = 0;
};
using LinePtr = std::unique_ptr<Line>;

LinePtr make_sim_wire_line(const std::string& socket);
LinePtr make_serial_line(const LineConfig& config);
LinePtr make_gpio_line(const LineConfig& config);
// The line `config` describes.
LinePtr make_line(const LineConfig& config);

}  // namespace netpower::host
