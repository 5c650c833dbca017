#include "manager/actions/host_presence.h"

namespace netpower::manager::actions {

namespace {

// Boot ids remembered per host (the current one and recent others, for conflicts).
constexpr std::size_t kMaxBoots = 8;

}  // namespace

HostPresence::HostPresence(const Inventory& inventory, const core::Clock& clock) : clock_(clock) {
  for (const auto& h : inventory.hosts) {
    Host host;
    host.settings = &h;
    host.timeout = inventory.heartbeat_timeout(h);
    host.status.name = h.name;
    host.status.host_id = h.id;
    if (!h.id.empty()) by_id_[h.id] = hosts_.size();
    by_name_[h.name] = hosts_.size();
    hosts_.push_back(std::move(host));
  }
}

Observation HostPresence::observe(const traps::DecodedTrap& trap) {
  Observation out;
  const auto now = clock_.now();
  HostNotification n;
  const auto parsed = parse_host_notification(trap, now, n);
  std::lock_guard lock(mutex_);
  if (parsed == NotificationParse::kMalformed) {
    ++malformed_;
    out.kind = Observation::Kind::kMalformed;
    return out;
  }
  if (parsed == NotificationParse::kParsed) {
    out.kind = Observation::Kind::kHost;
    auto it = by_id_.find(n.host_id);
    if (it != by_id_.end()) {
      auto& host = hosts_[it->second];
      out.host = host.settings->name;
      out.verified = !host.settings->user.empty() && n.user == host.settings->user;
      if (out.verified) {
        apply(host, n, out);
      } else {
        ++host.status.unverified;
      }
    }
    out.notification = std::move(n);
    return out;
  }
  // A configured appliance's own trap, from its own address (and user, when one is configured).
  for (auto& host : hosts_) {
    const auto& s = *host.settings;
    if (s.answer != AnswerMode::kTrap || trap.trap_oid != s.trap_oid ||
        trap.source_address != s.trap_address) {
      continue;
    }
    out.kind = Observation::Kind::kTrapAnswer;
    out.host = s.name;
    out.verified = s.user.empty() || trap.user == s.user;
    out.notification.received = now;
    out.notification.received_wall = trap.received;
    out.notification.address = trap.source_address;
    out.notification.user = trap.user;
    out.notification.host_id = s.id;
    out.notification.kind = HostNotification::Kind::kAnswer;
    if (out.verified) {
      host.status.last_seen = now;
      host.status.last_seen_wall = trap.received;
      host.status.address = trap.source_address;
    } else {
      ++host.status.unverified;
    }
    return out;
  }
  return out;
}

void HostPresence::apply(Host& host, const HostNotification& n, Observation& out) {
  const auto t = n.received;
  const bool had_conflict = conflict(host, t);
  auto& st = host.status;
  const bool current_live = st.last_seen && t - *st.last_seen < host.timeout;
  if (st.boot_id.empty() && host.boots.empty()) {
    st.boot_id = n.boot_id;
    host.took_over = t;
  } else if (n.boot_id != st.boot_id) {
    // A hello says the host (re)started with this boot id: the one before is over, and hearing
    // it again means a second machine claims the id. A heartbeat or an answer from another boot
    // id while the current one is alive is that second machine; after silence it is a boot whose
    // hello was lost.
    if (n.kind == HostNotification::Kind::kHello || !current_live) {
      out.new_boot = true;
      st.boot_id = n.boot_id;
      st.hello.reset();
      host.took_over = t;
    }
  }
  auto& boot = host.boots[n.boot_id];
  if (boot.first_seen == core::TimePoint{}) boot.first_seen = t;
  boot.last_seen = std::max(boot.last_seen, t);
  if (n.boot_id == st.boot_id) {
    st.last_seen = st.last_seen ? std::max(*st.last_seen, t) : t;
    st.last_seen_wall = n.received_wall;
    st.hostname = n.hostname;
    st.address = n.address;
    st.sequence = n.sequence;
    if (n.kind == HostNotification::Kind::kHello) st.hello = t;
  }
  while (host.boots.size() > kMaxBoots) {
    auto oldest = host.boots.end();
    for (auto it = host.boots.begin(); it != host.boots.end(); ++it) {
      if (it->first == st.boot_id) continue;
      if (oldest == host.boots.end() || it->second.last_seen < oldest->second.last_seen) {
        oldest = it;
      }
    }
    host.boots.erase(oldest);
  }
  out.conflict_began = !had_conflict && conflict(host, t);
}

bool HostPresence::conflict(const Host& host, core::TimePoint now) const {
  for (const auto& [id, boot] : host.boots) {
    if (id == host.status.boot_id) continue;
    if (boot.last_seen > host.took_over && now - boot.last_seen < host.timeout) return true;
  }
  return false;
}

HostStatus HostPresence::snapshot(const Host& host, core::TimePoint now) const {
  HostStatus out = host.status;
  out.up = out.last_seen && now - *out.last_seen < host.timeout;
  out.conflict = conflict(host, now);
  return out;
}

std::optional<HostStatus> HostPresence::status(const std::string& host) const {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(host);
  if (it == by_name_.end()) return std::nullopt;
  return snapshot(hosts_[it->second], now);
}

std::vector<HostStatus> HostPresence::hosts() const {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  std::vector<HostStatus> out;
  for (const auto& h : hosts_) out.push_back(snapshot(h, now));
  return out;
}

std::uint64_t HostPresence::malformed() const {
  std::lock_guard lock(mutex_);
  return malformed_;
}

}  // namespace netpower::manager::actions
