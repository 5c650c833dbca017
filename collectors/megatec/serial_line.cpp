#include "collectors/megatec/serial_line.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace netpower::collectors::megatec {

namespace {

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

int open_serial(const std::string& device, std::string& problem) {
  int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    problem = "cannot open " + device + ": " + errno_text(errno);
    return -1;
  }
  termios tio{};
  if (!::isatty(fd)) {
    problem = device + " is not a serial port";
  } else if (::tcgetattr(fd, &tio) != 0) {
    problem = "cannot read the line settings of " + device + ": " + errno_text(errno);
  } else {
    ::cfmakeraw(&tio);
    tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    // VMIN 1: with O_NONBLOCK an empty port reads EAGAIN, so 0 means hang-up.
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    ::cfsetispeed(&tio, B2400);
    ::cfsetospeed(&tio, B2400);
    if (::tcsetattr(fd, TCSANOW, &tio) == 0) {
      ::tcflush(fd, TCIOFLUSH);
      return fd;
    }
    problem = "cannot set " + device + " to 2400 8N1 raw: " + errno_text(errno);
  }
  ::close(fd);
  return -1;
}

}  // namespace netpower::collectors::megatec
