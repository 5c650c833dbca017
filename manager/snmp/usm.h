#pragma once
// The User-based Security Model of the manager's SNMP library, with OpenSSL's libcrypto (which
// net-snmp links as well): key derivation and localisation (RFC 3414 A.2, RFC 7860 for SHA-2),
// HMAC digests (HMAC-MD5-96, HMAC-SHA-96, HMAC-SHA-2 RFC 7860), privacy (CBC-DES RFC 3414 8,
// CFB128-AES RFC 3826; AES-192/256 with the Blumenthal key extension as net-snmp's
// AES-192/AES-256). No net-snmp state: the trap receiver's net-snmp USM engine in the same process
// is untouched.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "manager/snmp/message.h"
#include "manager/snmp/security.h"

namespace netpower::manager::snmp {

using Bytes = std::vector<std::uint8_t>;

std::size_t hash_length(AuthProtocol protocol);      // 16 (MD5), 20 (SHA-1), 28, 32, 48, 64
std::size_t mac_length(AuthProtocol protocol);       // 12, 12, 16, 24, 32, 48
std::size_t priv_key_length(PrivProtocol protocol);  // 8 (DES: + 8 pre-IV), 16, 24, 32

// Ku: the pass phrase hashed over 1 MiB of its repetitions (RFC 3414 A.2). Costs milliseconds:
// compute once per user, not per engine.
Bytes password_to_key(AuthProtocol protocol, std::string_view password);
// Kul = H(Ku | engineID | Ku).
Bytes localize_key(AuthProtocol protocol, std::span<const std::uint8_t> ku,
                   std::span<const std::uint8_t> engine_id);
// The localized privacy key, extended (Kul | H(Kul) | H(Kul | H(Kul)) ...) when the privacy
// protocol needs more bytes than the hash gives, and cut to what the protocol uses (DES: 16,
// key and pre-IV).
Bytes privacy_key(AuthProtocol auth, PrivProtocol priv, Bytes kul);

// One user's keys for one authoritative engine.
struct UsmKeys {
  std::string user;
  SecurityLevel level = SecurityLevel::kAuthPriv;
  AuthProtocol auth_protocol = AuthProtocol::kSha;
  PrivProtocol priv_protocol = PrivProtocol::kAes;
  Bytes auth_key;  // localized; empty at noAuthNoPriv
  Bytes priv_key;  // localized (and extended); empty below authPriv
};

struct V3Request {
  std::int32_t msg_id = 0;
  std::span<const std::uint8_t> engine_id;
  std::int32_t engine_boots = 0;
  std::int32_t engine_time = 0;
  std::uint64_t salt = 0;  // a fresh value per message (privacy IV)
};

// An authenticated (and encrypted) SNMPv3 request; empty if an OID cannot be encoded or the
// crypto failed.
Bytes encode_v3(const UsmKeys& keys, const V3Request& header, const PduRequest& pdu);
// The engine-ID discovery probe (RFC 3414 4): noAuthNoPriv, reportable, empty engine ID and user,
// a GET without varbinds.
Bytes encode_discovery(std::int32_t msg_id, std::int32_t request_id);

// A user's credentials with the pass phrases already hashed to Ku: what a Target carries. Built
// once per user (make_usm_credentials costs milliseconds per distinct pass phrase), shared by
// requests.
struct UsmCredentials {
  std::string user;
  SecurityLevel level = SecurityLevel::kAuthPriv;
  AuthProtocol auth_protocol = AuthProtocol::kSha;
  PrivProtocol priv_protocol = PrivProtocol::kAes;
  Bytes auth_ku;  // empty at noAuthNoPriv
  Bytes priv_ku;  // empty below authPriv
};
using UsmCredentialsPtr = std::shared_ptr<const UsmCredentials>;

// Hashes the pass phrases (a process-wide cache keeps Ku per protocol and pass phrase, so a fleet
// sharing one user pays once). Throws std::invalid_argument for a level that needs a key the
// caller left empty. Any thread.
UsmCredentialsPtr make_usm_credentials(std::string user, SecurityLevel level,
                                       AuthProtocol auth_protocol, std::string_view auth_password,
                                       PrivProtocol priv_protocol, std::string_view priv_password);

// Localized keys per (credentials, engine ID): one HMAC-sized hash per pair instead of one per
// message. Bounded: past `max_entries` it starts again empty. One thread (the client's).
class LocalizedKeyCache {
 public:
  explicit LocalizedKeyCache(std::size_t max_entries = 65536) : max_entries_(max_entries) {}
  // The keys of `credentials` for the engine `engine_id` (computed on first use).
  std::shared_ptr<const UsmKeys> keys(const UsmCredentials& credentials,
                                      std::span<const std::uint8_t> engine_id);
  std::size_t size() const { return cache_.size(); }
  std::uint64_t computed() const { return computed_; }  // localisations done (for tests)

 private:
  using Key = std::tuple<std::string, int, int, int, Bytes, Bytes, Bytes>;
  std::size_t max_entries_;
  std::map<Key, std::shared_ptr<const UsmKeys>> cache_;
  std::uint64_t computed_ = 0;
};

// Checks the digest of a received message (its auth parameters are zeroed in `packet` while the
// HMAC is computed, then restored). False if it does not match.
bool verify_digest(const UsmKeys& keys, std::span<std::uint8_t> packet, const V3Message& message);
// Decrypts msgData into `plain`; false if the privacy parameters are malformed.
bool decrypt(const UsmKeys& keys, const V3Message& message, Bytes& plain);

}  // namespace netpower::manager::snmp
