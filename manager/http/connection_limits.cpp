#include "manager/http/connection_limits.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace netpower::manager::http {

ConnectionLimitSettings ConnectionLimitSettings::fitted(std::size_t max_connections,
                                                        std::size_t max_per_client,
                                                        std::size_t reserved) {
  ConnectionLimitSettings s;
  s.max_connections = std::max<std::size_t>(max_connections, 1);
  s.max_per_client = std::clamp<std::size_t>(max_per_client, 1, s.max_connections);
  s.reserved = std::min(reserved, s.max_connections - 1);
  return s;
}

std::string client_key(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

const char* to_string(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return "none";
    case Refusal::kMaxConnections:
      return "max_connections";
    case Refusal::kPerClient:
      return "per_client";
    case Refusal::kReserved:
      return "reserved";
    case Refusal::kStopping:
      return "stopping";
  }
  return "?";
}

ConnectionLimits::ConnectionLimits(ConnectionLimitSettings settings) : settings_(settings) {
  if (settings_.max_connections == 0 || settings_.max_per_client == 0) {
    throw std::invalid_argument("HTTP connection limits must be at least 1");
  }
  if (settings_.reserved >= settings_.max_connections) {
    throw std::invalid_argument(
        "the reserved HTTP connections (" + std::to_string(settings_.reserved) +
        ") must be fewer than max_connections (" + std::to_string(settings_.max_connections) + ")");
  }
}

Refusal ConnectionLimits::admit(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = per_client_.find(client);
  const std::size_t held = it == per_client_.end() ? 0 : it->second;
  Refusal refusal = Refusal::kNone;
  if (stopped_) {
    refusal = Refusal::kStopping;
  } else if (open_ >= settings_.max_connections) {
    refusal = Refusal::kMaxConnections;
  } else if (held >= settings_.max_per_client) {
    refusal = Refusal::kPerClient;
  } else if (held > 0 && open_ >= settings_.max_connections - settings_.reserved) {
    refusal = Refusal::kReserved;
  }
  if (refusal == Refusal::kNone) {
    ++open_;
    if (it == per_client_.end()) {
      per_client_.emplace(client, 1);
    } else {
      ++it->second;
    }
    return refusal;
  }
  ++refused_[static_cast<std::size_t>(refusal) - 1];
  if (refusal == Refusal::kStopping) return refusal;
  if (!logged_ || now - last_log_ >= kLogInterval) {
    spdlog::warn(
        "http: connection from {} refused ({}: {} open, {} from this address; limits {} in all, "
        "{} per address, {} reserved for new addresses){}",
        client, to_string(refusal), open_, held, settings_.max_connections,
        settings_.max_per_client, settings_.reserved,
        unlogged_ > 0 ? "; " + std::to_string(unlogged_) + " more refused since the last message"
                      : std::string());
    logged_ = true;
    last_log_ = now;
    unlogged_ = 0;
  } else {
    ++unlogged_;
  }
  return refusal;
}

void ConnectionLimits::release(const std::string& client) {
  std::lock_guard lock(mutex_);
  auto it = per_client_.find(client);
  if (it == per_client_.end()) return;
  if (--it->second == 0) per_client_.erase(it);
  --open_;
}

void ConnectionLimits::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::uint64_t ConnectionLimits::refused(Refusal reason) const {
  if (reason == Refusal::kNone) return 0;
  std::lock_guard lock(mutex_);
  return refused_[static_cast<std::size_t>(reason) - 1];
}

std::uint64_t ConnectionLimits::refused_total() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (auto n : refused_) total += n;
  return total;
}

}  // namespace netpower::manager::http
