#include "tests/support/manager/scripted_agent.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <span>
#include <string>
#include <system_error>

#include "manager/snmp/ber.h"
#include "manager/snmp/message.h"

namespace netpower::testing {

namespace snmp = manager::snmp;

ScriptedAgent::ScriptedAgent(Answer answer) : answer_(std::move(answer)) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  timeval tick{0, 20'000};  // the thread looks at stop_ this often
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) != 0) {
    const int error = errno;
    if (fd_ >= 0) ::close(fd_);
    throw std::system_error(error, std::generic_category(), "ScriptedAgent: bind");
  }
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

ScriptedAgent::~ScriptedAgent() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void ScriptedAgent::set_answer(Answer answer) {
  std::lock_guard lock(mutex_);
  answer_ = std::move(answer);
}

void ScriptedAgent::serve() {
  std::vector<std::uint8_t> buffer(65536);
  while (!stop_) {
    sockaddr_in peer{};
    socklen_t peer_len = sizeof peer;
    const auto n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0,
                              reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (n <= 0) continue;  // the tick, or an error: look at stop_ again
    snmp::V2cMessage request;
    std::string error;
    if (!snmp::decode_v2c(std::span(buffer.data(), static_cast<std::size_t>(n)), request, error) ||
        request.pdu.type != snmp::kPduGetBulk || request.pdu.varbinds.empty()) {
      continue;
    }
    std::vector<snmp::Varbind> varbinds;
    {
      std::lock_guard lock(mutex_);
      // error_index carries max-repetitions in a GETBULK (RFC 3416 3).
      varbinds = answer_(request.pdu.varbinds.front().oid, request.pdu.error_index);
    }
    if (const auto delay = delay_ms_.load(); delay > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    snmp::PduRequest response;
    response.type = snmp::kPduResponse;
    response.request_id = request.pdu.request_id;
    response.varbinds = varbinds;
    const auto bytes = snmp::encode_v2c(std::string(request.community), response);
    if (bytes.empty()) continue;
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_len);
    ++answered_;
  }
}

namespace {

// The row after `from` in a one-column table under `root`: root.1.(k+1), or root.1.1 from above.
std::uint32_t next_row(const snmp::Oid& root, const snmp::Oid& from) {
  const bool in_column =
      from.size() == root.size() + 2 && snmp::starts_with(from, root) && from[root.size()] == 1;
  return in_column ? from.back() + 1 : 1;
}

snmp::Varbind row(const snmp::Oid& root, std::uint32_t k, std::size_t value_bytes) {
  snmp::Oid oid = root;
  oid.push_back(1);
  oid.push_back(k);
  return snmp::octets_value(std::move(oid), std::string(value_bytes, 'x'));
}

}  // namespace

ScriptedAgent::Answer ScriptedAgent::endless_table(snmp::Oid root, std::size_t value_bytes) {
  return [root = std::move(root), value_bytes](const snmp::Oid& from, std::int32_t repetitions) {
    std::vector<snmp::Varbind> out;
    const auto first = next_row(root, from);
    for (std::int32_t i = 0; i < repetitions; ++i) {
      out.push_back(row(root, first + static_cast<std::uint32_t>(i), value_bytes));
    }
    return out;
  };
}

ScriptedAgent::Answer ScriptedAgent::finite_table(snmp::Oid root, std::uint32_t rows,
                                                  std::size_t value_bytes) {
  return [root = std::move(root), rows, value_bytes](const snmp::Oid& from,
                                                     std::int32_t repetitions) {
    std::vector<snmp::Varbind> out;
    for (auto k = next_row(root, from); out.size() < static_cast<std::size_t>(repetitions); ++k) {
      if (k > rows) {
        auto end = snmp::null_value(from);
        end.type = snmp::ValueType::kEndOfMibView;
        out.push_back(std::move(end));
        break;
      }
      out.push_back(row(root, k, value_bytes));
    }
    return out;
  };
}

}  // namespace netpower::testing
