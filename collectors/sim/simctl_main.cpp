// netpower-simctl: sends one command to a simulated chain's control socket and prints the reply
// (docs/simulator.md lists the commands).

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "netpower-simctl: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path;
  std::vector<std::string> words;
  int timeout_ms = 5000;
  CLI::App app{"netpower-simctl: talks to the control socket of netpower's simulated PDU chain",
               "netpower-simctl"};
  app.add_option("socket", socket_path, "the sim's control_socket path")->required();
  app.add_option("command", words,
                 "state | history [PORT] | fault PORT|BOARD KIND | load PORT AMPS | "
                 "temperature BOARD C|none | unplug | plug | switch PORT on|off | help")
      ->required();
  app.add_option("--timeout-ms", timeout_ms, "how long to wait for the reply")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::string line;
  for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof(addr.sun_path)) return fail("socket path too long");
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("cannot connect to " + socket_path + ": " + std::strerror(errno) +
                " (is netpower-agent running with the sim's control_socket set?)");
  }
  line += "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return fail(std::string("send: ") + std::strerror(errno));
  }
  std::string reply;
  char buf[65536];
  while (reply.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready == 0) return fail("no reply within " + std::to_string(timeout_ms) + " ms");
    if (ready < 0) return fail(std::string("poll: ") + std::strerror(errno));
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return fail("the sim closed the connection");
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  reply.resize(reply.find('\n'));
  std::printf("%s\n", reply.c_str());
  return reply.rfind("error:", 0) == 0 ? 1 : 0;
}
