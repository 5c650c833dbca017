#pragma once
// The serial side of the megatec driver: the port opened as a Megatec UPS needs it.

#include <string>

namespace netpower::collectors::megatec {

// Opens `device` O_RDWR | O_NOCTTY | O_NONBLOCK, raw 2400 8N1, no flow control, modem lines
// ignored, buffers flushed. Returns the descriptor (the caller closes it), or -1 with `problem`
// set: cannot open, not a serial port, line settings refused.
int open_serial(const std::string& device, std::string& problem);

}  // namespace netpower::collectors::megatec
