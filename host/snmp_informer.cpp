#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "host/informer.h"

namespace netpower::host {

namespace {

const oid kSnmpTrapOid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
const oid kSysUpTime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};

struct Pending {
  Notification notification;
  int attempts_left = 1;
};

std::vector<oid> to_oids(const OidVector& v) { return {v.begin(), v.end()}; }

// net-snmp's protocol OIDs (static arrays in the library).
std::pair<const oid*, std::size_t> auth_protocol(const std::string& name) {
  if (name == "MD5") return {usmHMACMD5AuthProtocol, USM_AUTH_PROTO_MD5_LEN};
  if (name == "SHA") return {usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN};
#ifdef HAVE_EVP_SHA224
  if (name == "SHA-224")
    return {usmHMAC128SHA224AuthProtocol, OID_LENGTH(usmHMAC128SHA224AuthProtocol)};
  if (name == "SHA-256")
    return {usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol)};
#endif
#ifdef HAVE_EVP_SHA384
  if (name == "SHA-384")
    return {usmHMAC256SHA384AuthProtocol, OID_LENGTH(usmHMAC256SHA384AuthProtocol)};
  if (name == "SHA-512")
    return {usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol)};
#endif
  throw std::runtime_error("auth protocol " + name + " is not supported by this net-snmp");
}

class SnmpInformer final : public Informer {
 public:
  explicit SnmpInformer(const ManagerConfig& config) : config_(config) {
    static std::once_flag once;
    std::call_once(once, []() {
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
      ::setenv("MIBS", "", 1);
      init_snmp("netpower-host");
    });
    template_session();
    thread_ = std::thread([this]() { run(); });
  }

  ~SnmpInformer() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (session_ != nullptr) snmp_sess_close(session_);
  }
  SnmpInformer(const SnmpInformer&) = delete;
  SnmpInformer& operator=(const SnmpInformer&) = delete;

  void send(Notification notification) override {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() >= kMaxQueued) {
        queue_.pop_front();
        ++failed_;
      }
      queue_.push_back({std::move(notification), config_.attempts});
    }
    wake_.notify_one();
  }

  InformerStats stats() const override { return {delivered_, failed_, attempts_}; }

 private:
  void template_session() {
    snmp_sess_init(&template_);
    template_.version = SNMP_VERSION_3;
    peer_ = config_.address;
    user_ = config_.user;
    template_.peername = peer_.data();
    template_.securityName = user_.data();
    template_.securityNameLen = user_.size();
    template_.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
    auto [auth, auth_len] = auth_protocol(config_.auth_protocol);
    auth_proto_.assign(auth, auth + auth_len);
    template_.securityAuthProto = auth_proto_.data();
    template_.securityAuthProtoLen = auth_proto_.size();
    template_.securityAuthKeyLen = USM_AUTH_KU_LEN;
    if (generate_Ku(template_.securityAuthProto, static_cast<u_int>(template_.securityAuthProtoLen),
                    reinterpret_cast<const u_char*>(config_.auth_passphrase.data()),
                    config_.auth_passphrase.size(), template_.securityAuthKey,
                    &template_.securityAuthKeyLen) != SNMPERR_SUCCESS) {
      throw std::runtime_error("cannot derive the SNMPv3 auth key");
    }
    if (config_.priv_protocol == "DES") {
      priv_proto_.assign(usmDESPrivProtocol, usmDESPrivProtocol + USM_PRIV_PROTO_DES_LEN);
    } else {
      priv_proto_.assign(usmAESPrivProtocol, usmAESPrivProtocol + USM_PRIV_PROTO_AES_LEN);
    }
    template_.securityPrivProto = priv_proto_.data();
    template_.securityPrivProtoLen = priv_proto_.size();
    template_.securityPrivKeyLen = USM_PRIV_KU_LEN;
    if (generate_Ku(template_.securityAuthProto, static_cast<u_int>(template_.securityAuthProtoLen),
                    reinterpret_cast<const u_char*>(config_.priv_passphrase.data()),
                    config_.priv_passphrase.size(), template_.securityPrivKey,
                    &template_.securityPrivKeyLen) != SNMPERR_SUCCESS) {
      throw std::runtime_error("cannot derive the SNMPv3 priv key");
    }
    template_.timeout = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(config_.timeout).count());
    template_.retries = config_.retries;
  }

  // Opens the session when there is none: net-snmp discovers the manager's engine (the inform's
  // authoritative side) while opening, so a manager that is down fails here.
  bool ensure_session() {
    if (session_ != nullptr) return true;
    netsnmp_session copy = template_;
    session_ = snmp_sess_open(&copy);
    if (session_ == nullptr) {
      char* text = nullptr;
      snmp_error(&copy, nullptr, nullptr, &text);
      spdlog::warn("cannot reach the manager at {}: {}", config_.address, text ? text : "?");
      free(text);
      return false;
    }
    return true;
  }

  bool deliver(const Notification& n) {
    ++attempts_;
    if (!ensure_session()) return false;
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_INFORM);
    auto uptime = static_cast<u_long>(get_uptime());
    snmp_pdu_add_variable(pdu, kSysUpTime, OID_LENGTH(kSysUpTime), ASN_TIMETICKS, &uptime,
                          sizeof(uptime));
    auto trap = to_oids(n.trap_oid);
    snmp_pdu_add_variable(pdu, kSnmpTrapOid, OID_LENGTH(kSnmpTrapOid), ASN_OBJECT_ID, trap.data(),
                          trap.size() * sizeof(oid));
    for (const auto& vb : n.varbinds) {
      auto name = to_oids(vb.oid);
      if (vb.type == NotificationVarbind::Type::kOctets) {
        snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_OCTET_STR, vb.octets.data(),
                              vb.octets.size());
      } else {
        u_long value = vb.number;
        snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_UNSIGNED, &value, sizeof(value));
      }
    }
    netsnmp_pdu* response = nullptr;
    int status = snmp_sess_synch_response(session_, pdu, &response);
    bool ok =
        status == STAT_SUCCESS && response != nullptr && response->errstat == SNMP_ERR_NOERROR;
    if (!ok) {
      char* text = nullptr;
      int liberr = 0;
      int syserr = 0;
      snmp_sess_error(session_, &liberr, &syserr, &text);
      spdlog::warn("{} inform to {} not acknowledged: {}", to_string(n.kind), config_.address,
                   status == STAT_TIMEOUT ? "timeout" : (text ? text : "error"));
      free(text);
      // A new session rediscovers the engine (the manager may have restarted).
      snmp_sess_close(session_);
      session_ = nullptr;
    }
    if (response != nullptr) snmp_free_pdu(response);
    return ok;
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this]() { return stop_ || !queue_.empty(); });
      if (stop_) return;
      Pending item = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      bool ok = deliver(item.notification);
      lock.lock();
      if (ok) {
        ++delivered_;
        spdlog::debug("{} delivered", to_string(item.notification.kind));
        continue;
      }
      if (--item.attempts_left <= 0) {
        ++failed_;
        spdlog::error("{} given up after {} attempts", to_string(item.notification.kind),
                      config_.attempts);
        continue;
      }
      auto backoff = config_.timeout * (1 << std::min(config_.attempts - item.attempts_left, 6));
      if (wake_.wait_for(lock, backoff, [this]() { return stop_; })) return;
      queue_.push_front(std::move(item));
    }
  }

  ManagerConfig config_;
  netsnmp_session template_{};
  std::string peer_;
  std::string user_;
  std::vector<oid> auth_proto_;
  std::vector<oid> priv_proto_;
  void* session_ = nullptr;  // used by the thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> attempts_{0};
};

}  // namespace

InformerPtr make_snmp_informer(const ManagerConfig& config) {
  return std::make_unique<SnmpInformer>(config);
}

}  // namespace netpower::host
