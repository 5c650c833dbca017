#include "manager/traps/trap_receiver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "manager/traps/detail/engine_identity.h"
#include "manager/traps/detail/log_limit.h"
#include "manager/traps/detail/trap_decoder.h"
#include "manager/traps/detail/usm_engine.h"

namespace netpower::manager::traps {

namespace {

constexpr std::size_t kRecvBatch = 64;     // datagrams per recvmmsg call
constexpr std::size_t kStoreBatch = 1024;  // events per add_events call, at most
using detail::should_log;                  // the first 20 problems of a kind, then one in 10,000

std::string address_text(const sockaddr_storage& addr, std::uint16_t* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    if (port != nullptr) *port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (port != nullptr) *port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
  }
  return text;
}

// Constant-time comparison: how long a wrong community takes says nothing about the right one.
bool same_secret(std::string_view a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    diff |= static_cast<unsigned char>(b[i] ^ (i < a.size() ? a[i] : 0));
  }
  return diff == 0;
}

// One received datagram waiting for its decoder.
struct Slot {
  sockaddr_storage from;
  socklen_t from_len = 0;
  std::uint32_t length = 0;
  model::WallTime received;
  std::uint8_t* bytes = nullptr;  // into Queue::storage_
};

// Single producer (the receive thread), single consumer (one decoder thread), fixed slots.
class Queue {
 public:
  Queue(std::size_t capacity, std::size_t slot_bytes)
      : slots_(capacity),
        slot_bytes_(slot_bytes),
        storage_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity * slot_bytes)) {
    for (std::size_t i = 0; i < capacity; ++i) slots_[i].bytes = storage_.get() + i * slot_bytes;
  }

  // Producer: the next free slot, or nullptr when full.
  Slot* free_slot() {
    const auto tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_.load(std::memory_order_acquire) == slots_.size()) return nullptr;
    return &slots_[tail % slots_.size()];
  }
  void publish() { tail_.fetch_add(1, std::memory_order_seq_cst); }
  void wake() {
    if (sleeping_.load(std::memory_order_seq_cst)) {
      std::lock_guard lock(mutex_);
      cv_.notify_one();
    }
  }
  bool full() const {
    return tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_acquire) ==
           slots_.size();
  }

  // Consumer: the oldest slot, waiting up to `timeout` for one; nullptr if none.
  Slot* next(std::chrono::milliseconds timeout) {
    const auto head = head_.load(std::memory_order_relaxed);
    if (tail_.load(std::memory_order_acquire) == head) {
      std::unique_lock lock(mutex_);
      sleeping_.store(true, std::memory_order_seq_cst);
      cv_.wait_for(lock, timeout, [&] { return tail_.load(std::memory_order_seq_cst) != head; });
      sleeping_.store(false, std::memory_order_relaxed);
      if (tail_.load(std::memory_order_acquire) == head) return nullptr;
    }
    return &slots_[head % slots_.size()];
  }
  void release() { head_.fetch_add(1, std::memory_order_release); }
  bool empty() const {
    return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire);
  }
  void notify_all() {
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

 private:
  std::vector<Slot> slots_;
  std::size_t slot_bytes_;
  std::unique_ptr<std::uint8_t[]> storage_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

struct AtomicCounters {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> decoded{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> unauthenticated{0};
  std::atomic<std::uint64_t> discovery{0};
  std::atomic<std::uint64_t> kernel_dropped{0};
  std::atomic<std::uint64_t> informs_answered{0};
  std::atomic<std::uint64_t> queue_full_waits{0};
};

class Receiver final : public TrapReceiver {
 public:
  Receiver(const TrapSettings& settings, TrapReceiverOptions options)
      : settings_(settings), options_(std::move(options)) {
    for (const auto& c : settings_.communities) communities_.push_back(c.reveal());
    resolve_agents();
    open_socket();
    if (!settings_.users.empty()) {
      // The engine ID and boots persist across restarts (RFC 3414 2.2): read, incremented and
      // written back before the socket is read.
      const auto identity =
          detail::load_engine_identity(settings_.engine_id, settings_.engine_file);
      usm_ = std::make_unique<detail::UsmEngine>(
          settings_, identity,
          [this](std::span<const std::uint8_t> bytes, const sockaddr* to, socklen_t to_len) {
            send_to(bytes, to, to_len);
          });
    }
    for (std::size_t i = 0; i < settings_.decoder_threads; ++i) {
      queues_.push_back(
          std::make_unique<Queue>(settings_.queue_packets, settings_.max_packet_bytes));
    }
    for (std::size_t i = 0; i < settings_.decoder_threads; ++i) {
      decoders_.emplace_back([this, i] { decode_loop(*queues_[i]); });
    }
    receiver_ = std::thread([this] { receive_loop(); });
    spdlog::info(
        "traps: listening on udp {}:{} (SO_RCVBUF granted {} bytes, asked {}); {} decoder "
        "thread(s), {} communities, {} SNMPv3 user(s){}",
        settings_.listen_address, port_, granted_buffer_, settings_.receive_buffer_bytes,
        settings_.decoder_threads, communities_.size(), settings_.users.size(),
        usm_ ? ", engine ID " + usm_->engine_id() + " (boots " +
                   std::to_string(usm_->engine_boots()) + ", kept in " + settings_.engine_file + ")"
             : "");
  }

  ~Receiver() override {
    stop();
    if (socket_ >= 0) ::close(socket_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  std::uint16_t port() const override { return port_; }
  std::uint64_t receive_buffer_bytes() const override { return granted_buffer_; }

  TrapCounters counters() const override {
    TrapCounters c;
    c.received = counters_.received.load();
    c.decoded = counters_.decoded.load();
    c.malformed = counters_.malformed.load();
    c.unauthenticated = counters_.unauthenticated.load();
    c.discovery = counters_.discovery.load();
    c.kernel_dropped = counters_.kernel_dropped.load();
    c.informs_answered = counters_.informs_answered.load();
    c.queue_full_waits = counters_.queue_full_waits.load();
    return c;
  }

  void stop() override {
    std::lock_guard lock(stop_mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    const std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) < 0) {
      spdlog::warn("traps: cannot wake the receive thread: {}", std::strerror(errno));
    }
    if (receiver_.joinable()) receiver_.join();
    receive_done_.store(true);
    for (auto& q : queues_) q->notify_all();
    for (auto& t : decoders_) {
      if (t.joinable()) t.join();
    }
    auto c = counters();
    spdlog::info(
        "traps: stopped; received {}, decoded {}, malformed {}, unauthenticated {}, discovery {}, "
        "dropped by the kernel {}",
        c.received, c.decoded, c.malformed, c.unauthenticated, c.discovery, c.kernel_dropped);
  }

 private:
  void resolve_agents() {
    for (const auto& agent : options_.agents) {
      addrinfo hints{};
      hints.ai_socktype = SOCK_DGRAM;
      addrinfo* found = nullptr;
      if (int rc = getaddrinfo(agent.address.c_str(), nullptr, &hints, &found); rc != 0) {
        spdlog::warn(
            "traps: cannot resolve agent {} address '{}' ({}); its traps will be named "
            "by their source address",
            agent.name, agent.address, gai_strerror(rc));
        continue;
      }
      for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
        sockaddr_storage addr{};
        std::memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
        agent_names_.emplace(address_text(addr, nullptr), agent.name);
      }
      freeaddrinfo(found);
    }
  }

  void open_socket() {
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET, settings_.listen_address.c_str(), &in->sin_addr) == 1) {
      in->sin_family = AF_INET;
      in->sin_port = htons(settings_.port);
      addr_len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, settings_.listen_address.c_str(), &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(settings_.port);
      addr_len = sizeof(sockaddr_in6);
    } else {
      throw std::invalid_argument("traps: listen address '" + settings_.listen_address +
                                  "' is not numeric");
    }
    socket_ = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0) throw std::system_error(errno, std::generic_category(), "traps: socket");
    // SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN; otherwise the kernel caps
    // SO_RCVBUF at rmem_max, and we report what it granted.
    const int asked =
        static_cast<int>(std::min<std::uint64_t>(settings_.receive_buffer_bytes, 0x7fffffff));
    if (::setsockopt(socket_, SOL_SOCKET, SO_RCVBUFFORCE, &asked, sizeof asked) != 0) {
      ::setsockopt(socket_, SOL_SOCKET, SO_RCVBUF, &asked, sizeof asked);
    }
    int granted = 0;
    socklen_t len = sizeof granted;
    ::getsockopt(socket_, SOL_SOCKET, SO_RCVBUF, &granted, &len);
    granted_buffer_ = static_cast<std::uint64_t>(granted);
    if (granted_buffer_ < settings_.receive_buffer_bytes) {
      spdlog::warn(
          "traps: the kernel granted a {} byte receive buffer instead of {}; raise "
          "net.core.rmem_max or give the manager CAP_NET_ADMIN",
          granted_buffer_, settings_.receive_buffer_bytes);
    }
    const int on = 1;
    ::setsockopt(socket_, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
    if (::bind(socket_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
      const int err = errno;
      ::close(socket_);
      socket_ = -1;
      throw std::system_error(
          err, std::generic_category(),
          "traps: bind udp " + settings_.listen_address + ":" + std::to_string(settings_.port));
    }
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(socket_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    address_text(bound, &port_);
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "traps: eventfd");
  }

  void send_to(std::span<const std::uint8_t> bytes, const sockaddr* to, socklen_t to_len) {
    if (::sendto(socket_, bytes.data(), bytes.size(), MSG_DONTWAIT, to, to_len) < 0) {
      spdlog::warn("traps: cannot answer {}: {}",
                   address_text(*reinterpret_cast<const sockaddr_storage*>(to), nullptr),
                   std::strerror(errno));
    }
  }

  // The receive thread: recvmmsg into a staging batch, copy each datagram into the queue of the
  // decoder that owns its source (so one source's notifications stay in order), wake decoders.
  void receive_loop() {
    const std::size_t max_bytes = settings_.max_packet_bytes;
    std::vector<std::uint8_t> staging(kRecvBatch * (max_bytes + 1));
    std::vector<mmsghdr> msgs(kRecvBatch);
    std::vector<iovec> iovs(kRecvBatch);
    std::vector<sockaddr_storage> from(kRecvBatch);
    constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(std::uint32_t));
    std::vector<std::uint8_t> control(kRecvBatch * kControlBytes);
    std::vector<bool> touched(queues_.size());
    pollfd fds[2] = {{socket_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    while (!stopping_.load(std::memory_order_relaxed)) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        spdlog::error("traps: poll: {}", std::strerror(errno));
        return;
      }
      if (fds[1].revents != 0) return;
      while (true) {
        for (std::size_t i = 0; i < kRecvBatch; ++i) {
          // One byte more than the largest accepted datagram: a longer one shows as truncated.
          iovs[i] = {staging.data() + i * (max_bytes + 1), max_bytes + 1};
          msgs[i].msg_hdr = {};
          msgs[i].msg_hdr.msg_name = &from[i];
          msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
          msgs[i].msg_hdr.msg_iov = &iovs[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
          msgs[i].msg_hdr.msg_control = control.data() + i * kControlBytes;
          msgs[i].msg_hdr.msg_controllen = kControlBytes;
        }
        const int n = ::recvmmsg(socket_, msgs.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
        if (n < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            spdlog::warn("traps: recvmmsg: {}", std::strerror(errno));
          }
          break;
        }
        const auto now = model::wall_now();
        std::fill(touched.begin(), touched.end(), false);
        for (int i = 0; i < n; ++i) {
          counters_.received.fetch_add(1, std::memory_order_relaxed);
          note_kernel_drops(msgs[i].msg_hdr);
          const std::size_t length = msgs[i].msg_len;
          if (length > max_bytes || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
            const auto count = counters_.malformed.fetch_add(1) + 1;
            if (should_log(count)) {
              spdlog::warn(
                  "traps: datagram from {} longer than max_packet_bytes {} dropped "
                  "({} malformed so far)",
                  address_text(from[i], nullptr), max_bytes, count);
            }
            continue;
          }
          const std::size_t q = queue_of(from[i]);
          Queue& queue = *queues_[q];
          Slot* slot = queue.free_slot();
          if (slot == nullptr) {
            counters_.queue_full_waits.fetch_add(1, std::memory_order_relaxed);
            queue.wake();
            // The socket buffer keeps filling meanwhile; the kernel counts what overflows it.
            while ((slot = queue.free_slot()) == nullptr) std::this_thread::yield();
          }
          std::memcpy(&slot->from, &from[i], msgs[i].msg_hdr.msg_namelen);
          slot->from_len = msgs[i].msg_hdr.msg_namelen;
          slot->length = static_cast<std::uint32_t>(length);
          slot->received = now;
          std::memcpy(slot->bytes, iovs[i].iov_base, length);
          queue.publish();
          touched[q] = true;
        }
        for (std::size_t q = 0; q < queues_.size(); ++q) {
          if (touched[q]) queues_[q]->wake();
        }
        if (static_cast<std::size_t>(n) < kRecvBatch) break;
      }
    }
  }

  void note_kernel_drops(const msghdr& hdr) {
    for (auto* c = CMSG_FIRSTHDR(&hdr); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&hdr), c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
        std::uint32_t dropped = 0;
        std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
        // The kernel's count is cumulative for the socket (32 bits, wraps).
        auto seen = counters_.kernel_dropped.load(std::memory_order_relaxed);
        const auto low = static_cast<std::uint32_t>(seen);
        if (dropped != low) {
          const std::uint64_t more = static_cast<std::uint32_t>(dropped - low);
          const auto total = seen + more;
          counters_.kernel_dropped.store(total, std::memory_order_relaxed);
          spdlog::warn("traps: the kernel dropped {} datagram(s) (socket buffer full); {} in all",
                       more, total);
        }
      }
    }
  }

  std::size_t queue_of(const sockaddr_storage& from) const {
    std::uint64_t h = 1469598103934665603ull;
    const std::uint8_t* bytes = nullptr;
    std::size_t length = 0;
    if (from.ss_family == AF_INET) {
      bytes = reinterpret_cast<const std::uint8_t*>(
          &reinterpret_cast<const sockaddr_in*>(&from)->sin_addr);
      length = 4;
    } else {
      bytes = reinterpret_cast<const std::uint8_t*>(
          &reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr);
      length = 16;
    }
    for (std::size_t i = 0; i < length; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
    return h % queues_.size();
  }

  void decode_loop(Queue& queue) {
    std::vector<model::Event> events;
    while (true) {
      Slot* slot = queue.next(std::chrono::milliseconds(100));
      if (slot == nullptr) {
        flush(events);
        if (receive_done_.load() && queue.empty()) return;
        continue;
      }
      handle(*slot, events);
      queue.release();
      if (events.size() >= kStoreBatch || queue.empty()) flush(events);
    }
  }

  void flush(std::vector<model::Event>& events) {
    if (events.empty()) return;
    if (options_.events != nullptr) options_.events->publish(std::move(events));
    events.clear();
  }

  void handle(const Slot& slot, std::vector<model::Event>& events) {
    const std::span<const std::uint8_t> packet(slot.bytes, slot.length);
    DecodedTrap trap;
    auto message = detail::decode_v1v2c(packet);
    bool answered = false;
    switch (message.status) {
      case detail::V1V2cMessage::Status::kOk: {
        bool accepted = false;
        for (const auto& c : communities_) accepted = same_secret(message.community, c) || accepted;
        if (!accepted) {
          const auto count = counters_.unauthenticated.fetch_add(1) + 1;
          if (should_log(count)) {
            spdlog::warn("traps: v{} {} from {} with an unknown community dropped ({} so far)",
                         to_string(message.trap.version), to_string(message.trap.kind),
                         address_text(slot.from, nullptr), count);
          }
          return;
        }
        if (message.trap.kind == NotificationKind::kInform) {
          auto response = detail::inform_response(packet, message);
          if (!response.empty()) {
            send_to(response, reinterpret_cast<const sockaddr*>(&slot.from), slot.from_len);
            answered = true;
          }
        }
        trap = std::move(message.trap);
        break;
      }
      case detail::V1V2cMessage::Status::kV3: {
        if (!usm_) {
          const auto count = counters_.unauthenticated.fetch_add(1) + 1;
          if (should_log(count)) {
            spdlog::warn("traps: SNMPv3 message from {} dropped: no v3 users configured",
                         address_text(slot.from, nullptr));
          }
          return;
        }
        auto result = usm_->process(packet, reinterpret_cast<const sockaddr*>(&slot.from),
                                    slot.from_len, trap);
        switch (result.outcome) {
          case detail::UsmEngine::Outcome::kTrap:
            answered = result.answered;
            break;
          case detail::UsmEngine::Outcome::kDiscovery:
            counters_.discovery.fetch_add(1, std::memory_order_relaxed);
            return;
          case detail::UsmEngine::Outcome::kUnauthenticated: {
            const auto count = counters_.unauthenticated.fetch_add(1) + 1;
            if (should_log(count)) {
              spdlog::warn("traps: SNMPv3 message from {} refused: {} ({} so far)",
                           address_text(slot.from, nullptr), result.error, count);
            }
            return;
          }
          case detail::UsmEngine::Outcome::kMalformed: {
            const auto count = counters_.malformed.fetch_add(1) + 1;
            if (should_log(count)) {
              spdlog::warn("traps: malformed SNMPv3 message from {}: {} ({} so far)",
                           address_text(slot.from, nullptr), result.error, count);
            }
            return;
          }
        }
        break;
      }
      case detail::V1V2cMessage::Status::kNotification:
      case detail::V1V2cMessage::Status::kBad: {
        const auto count = counters_.malformed.fetch_add(1) + 1;
        if (should_log(count)) {
          spdlog::warn("traps: malformed datagram ({} bytes) from {}: {} ({} so far)", slot.length,
                       address_text(slot.from, nullptr), message.error, count);
        }
        return;
      }
    }
    if (answered) counters_.informs_answered.fetch_add(1, std::memory_order_relaxed);
    trap.source_address = address_text(slot.from, &trap.source_port);
    auto named = agent_names_.find(trap.source_address);
    trap.agent = named != agent_names_.end() ? named->second : trap.source_address;
    trap.received = slot.received;
    if (options_.on_trap) options_.on_trap(trap);
    if (options_.events != nullptr) events.push_back(to_event(trap));
    counters_.decoded.fetch_add(1, std::memory_order_relaxed);
  }

  TrapSettings settings_;
  TrapReceiverOptions options_;
  std::vector<std::string> communities_;
  std::unordered_map<std::string, std::string> agent_names_;  // numeric address -> agent name
  int socket_ = -1;
  int wake_fd_ = -1;
  std::uint16_t port_ = 0;
  std::uint64_t granted_buffer_ = 0;
  std::unique_ptr<detail::UsmEngine> usm_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::thread> decoders_;
  std::thread receiver_;
  AtomicCounters counters_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> receive_done_{false};
  std::mutex stop_mutex_;
  bool stopped_ = false;
};

}  // namespace

TrapReceiverPtr start_trap_receiver(const TrapSettings& settings, TrapReceiverOptions options) {
  return std::make_unique<Receiver>(settings, std::move(options));
}

}  // namespace netpower::manager::traps
