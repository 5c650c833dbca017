// OPENSSL_API_COMPAT: CBC-DES goes through OpenSSL's DES_ncbc_encrypt, which OpenSSL 3 keeps as a
// deprecated API (its EVP DES lives in the legacy provider, which is not loaded by default).
#define OPENSSL_API_COMPAT 0x10100000L
#include "manager/snmp/usm.h"

#include <openssl/des.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace netpower::manager::snmp {

namespace {

const EVP_MD* md_of(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::kMd5:
      return EVP_md5();
    case AuthProtocol::kSha:
      return EVP_sha1();
    case AuthProtocol::kSha224:
      return EVP_sha224();
    case AuthProtocol::kSha256:
      return EVP_sha256();
    case AuthProtocol::kSha384:
      return EVP_sha384();
    case AuthProtocol::kSha512:
      return EVP_sha512();
  }
  return EVP_sha1();
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

Bytes hash(AuthProtocol p, std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md_of(p), nullptr) != 1) return {};
  for (auto part : parts) EVP_DigestUpdate(ctx.get(), part.data(), part.size());
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1) return {};
  out.resize(length);
  return out;
}

const EVP_CIPHER* aes_of(PrivProtocol p) {
  switch (p) {
    case PrivProtocol::kAes192:
      return EVP_aes_192_cfb128();
    case PrivProtocol::kAes256:
      return EVP_aes_256_cfb128();
    default:
      return EVP_aes_128_cfb128();
  }
}

void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

bool aes_cfb(PrivProtocol p, const Bytes& key, const std::uint8_t iv[16],
             std::span<const std::uint8_t> in, Bytes& out, bool encrypt) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || key.size() < priv_key_length(p)) return false;
  if (EVP_CipherInit_ex(ctx.get(), aes_of(p), nullptr, key.data(), iv, encrypt ? 1 : 0) != 1) {
    return false;
  }
  out.resize(in.size() + 16);
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) {
    return false;
  }
  out.resize(static_cast<std::size_t>(n + tail));
  return true;
}

bool des_cbc(const Bytes& key, const std::uint8_t salt[8], std::span<const std::uint8_t> in,
             Bytes& out, bool encrypt) {
  if (key.size() < 16 || in.size() % 8 != 0) return false;
  DES_cblock des_key, iv;
  std::memcpy(des_key, key.data(), 8);
  for (int i = 0; i < 8; ++i) iv[i] = static_cast<unsigned char>(key[8 + i] ^ salt[i]);
  DES_key_schedule schedule;
  DES_key_sched(&des_key, &schedule);
  out.resize(in.size());
  if (!in.empty()) {
    DES_ncbc_encrypt(in.data(), out.data(), static_cast<long>(in.size()), &schedule, &iv,
                     encrypt ? DES_ENCRYPT : DES_DECRYPT);
  }
  return true;
}

}  // namespace

std::size_t hash_length(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::kMd5:
      return 16;
    case AuthProtocol::kSha:
      return 20;
    case AuthProtocol::kSha224:
      return 28;
    case AuthProtocol::kSha256:
      return 32;
    case AuthProtocol::kSha384:
      return 48;
    case AuthProtocol::kSha512:
      return 64;
  }
  return 20;
}

std::size_t mac_length(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::kMd5:
    case AuthProtocol::kSha:
      return 12;
    case AuthProtocol::kSha224:
      return 16;
    case AuthProtocol::kSha256:
      return 24;
    case AuthProtocol::kSha384:
      return 32;
    case AuthProtocol::kSha512:
      return 48;
  }
  return 12;
}

std::size_t priv_key_length(PrivProtocol p) {
  switch (p) {
    case PrivProtocol::kDes:
      return 16;
    case PrivProtocol::kAes:
      return 16;
    case PrivProtocol::kAes192:
      return 24;
    case PrivProtocol::kAes256:
      return 32;
  }
  return 16;
}

Bytes password_to_key(AuthProtocol p, std::string_view password) {
  if (password.empty()) return {};
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md_of(p), nullptr) != 1) return {};
  // 1 MiB of the pass phrase repeated, fed in 64-byte blocks (RFC 3414 A.2.1).
  std::uint8_t block[64];
  std::size_t index = 0;
  for (std::size_t count = 0; count < 1048576; count += sizeof block) {
    for (auto& b : block) b = static_cast<std::uint8_t>(password[index++ % password.size()]);
    EVP_DigestUpdate(ctx.get(), block, sizeof block);
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1) return {};
  out.resize(length);
  std::fill(std::begin(block), std::end(block), 0);
  return out;
}

Bytes localize_key(AuthProtocol p, std::span<const std::uint8_t> ku,
                   std::span<const std::uint8_t> engine_id) {
  return hash(p, {ku, engine_id, ku});
}

Bytes privacy_key(AuthProtocol auth, PrivProtocol priv, Bytes kul) {
  const std::size_t need = priv_key_length(priv);
  while (kul.size() < need && !kul.empty()) {
    auto more = hash(auth, {kul});
    kul.insert(kul.end(), more.begin(), more.end());
  }
  kul.resize(std::min(kul.size(), need));
  return kul;
}

Bytes encode_v3(const UsmKeys& keys, const V3Request& h, const PduRequest& pdu) {
  const bool auth = keys.level != SecurityLevel::kNoAuthNoPriv;
  const bool priv = keys.level == SecurityLevel::kAuthPriv;
  BerEncoder scoped(128 + (pdu.oids.size() + pdu.varbinds.size()) * 24);
  if (!encode_pdu(scoped, pdu)) return {};
  scoped.octets(std::string_view());  // contextName
  scoped.octets(h.engine_id);         // contextEngineID: the agent's own
  scoped.wrap(kTagSequence, 0);

  BerEncoder m(scoped.size() + 160);
  std::uint8_t salt[8];
  if (priv) {
    Bytes cipher;
    bool ok = false;
    if (keys.priv_protocol == PrivProtocol::kDes) {
      // salt = engineBoots | a local counter (RFC 3414 8.1.1.1); pad to the block size.
      put32(salt, static_cast<std::uint32_t>(h.engine_boots));
      put32(salt + 4, static_cast<std::uint32_t>(h.salt));
      Bytes padded(scoped.bytes().begin(), scoped.bytes().end());
      padded.resize((padded.size() + 7) / 8 * 8, 0);
      ok = des_cbc(keys.priv_key, salt, padded, cipher, true);
    } else {
      put32(salt, static_cast<std::uint32_t>(h.salt >> 32));
      put32(salt + 4, static_cast<std::uint32_t>(h.salt));
      std::uint8_t iv[16];
      put32(iv, static_cast<std::uint32_t>(h.engine_boots));
      put32(iv + 4, static_cast<std::uint32_t>(h.engine_time));
      std::memcpy(iv + 8, salt, 8);
      ok = aes_cfb(keys.priv_protocol, keys.priv_key, iv, scoped.bytes(), cipher, true);
    }
    if (!ok) return {};
    m.octets(cipher);
  } else {
    m.raw(scoped.bytes());
  }

  // msgSecurityParameters ::= OCTET STRING (UsmSecurityParameters)
  const std::size_t sec_mark = m.mark();
  if (priv) {
    m.octets(std::span<const std::uint8_t>(salt, 8));
  } else {
    m.octets(std::string_view());
  }
  const std::size_t mac = auth ? mac_length(keys.auth_protocol) : 0;
  std::size_t auth_from_end = 0;
  if (auth) {
    static const std::uint8_t kZeros[64] = {};
    m.raw({kZeros, mac});
    auth_from_end = m.size();
    m.header(kTagOctetString, mac);
  } else {
    m.octets(std::string_view());
  }
  m.octets(keys.user);
  m.integer(h.engine_time);
  m.integer(h.engine_boots);
  m.octets(h.engine_id);
  m.wrap(kTagSequence, sec_mark);
  m.wrap(kTagOctetString, sec_mark);

  // msgGlobalData
  const std::size_t header_mark = m.mark();
  m.integer(kSecurityModelUsm);
  const std::uint8_t flags =
      static_cast<std::uint8_t>(kFlagReportable | (auth ? kFlagAuth : 0) | (priv ? kFlagPriv : 0));
  m.octets(std::span<const std::uint8_t>(&flags, 1));
  m.integer(65507);
  m.integer(h.msg_id);
  m.wrap(kTagSequence, header_mark);
  m.integer(3);
  m.wrap(kTagSequence, 0);

  auto bytes = m.bytes();
  if (auth) {
    std::uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(md_of(keys.auth_protocol), keys.auth_key.data(),
             static_cast<int>(keys.auth_key.size()), bytes.data(), bytes.size(), digest,
             &length) == nullptr) {
      return {};
    }
    std::memcpy(bytes.data() + bytes.size() - auth_from_end, digest, mac);
  }
  return m.take();
}

Bytes encode_discovery(std::int32_t msg_id, std::int32_t request_id) {
  UsmKeys none;
  none.level = SecurityLevel::kNoAuthNoPriv;
  V3Request h;
  h.msg_id = msg_id;
  PduRequest pdu;
  pdu.type = kPduGet;
  pdu.request_id = request_id;
  return encode_v3(none, h, pdu);
}

bool verify_digest(const UsmKeys& keys, std::span<std::uint8_t> packet, const V3Message& message) {
  const std::size_t mac = mac_length(keys.auth_protocol);
  if (message.auth_length != mac || message.auth_offset + mac > packet.size()) return false;
  std::uint8_t received[64];
  std::memcpy(received, packet.data() + message.auth_offset, mac);
  std::memset(packet.data() + message.auth_offset, 0, mac);
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool computed =
      HMAC(md_of(keys.auth_protocol), keys.auth_key.data(), static_cast<int>(keys.auth_key.size()),
           packet.data(), packet.size(), digest, &length) != nullptr;
  std::memcpy(packet.data() + message.auth_offset, received, mac);
  return computed && length >= mac && CRYPTO_memcmp(digest, received, mac) == 0;
}

bool decrypt(const UsmKeys& keys, const V3Message& message, Bytes& plain) {
  if (message.priv_params.size() != 8) return false;
  if (keys.priv_protocol == PrivProtocol::kDes) {
    return des_cbc(keys.priv_key, message.priv_params.data(), message.data, plain, false);
  }
  std::uint8_t iv[16];
  put32(iv, static_cast<std::uint32_t>(message.engine_boots));
  put32(iv + 4, static_cast<std::uint32_t>(message.engine_time));
  std::memcpy(iv + 8, message.priv_params.data(), 8);
  return aes_cfb(keys.priv_protocol, keys.priv_key, iv, message.data, plain, false);
}

UsmCredentialsPtr make_usm_credentials(std::string user, SecurityLevel level,
                                       AuthProtocol auth_protocol, std::string_view auth_password,
                                       PrivProtocol priv_protocol, std::string_view priv_password) {
  static std::mutex mutex;
  static std::map<std::pair<AuthProtocol, std::string>, Bytes> ku_cache;
  auto ku = [&](std::string_view password) {
    std::lock_guard lock(mutex);
    auto key = std::make_pair(auth_protocol, std::string(password));
    auto it = ku_cache.find(key);
    if (it != ku_cache.end()) return it->second;
    if (ku_cache.size() >= 4096) ku_cache.clear();  // bounded; a fleet has a few users
    auto value = password_to_key(auth_protocol, password);
    ku_cache.emplace(std::move(key), value);
    return value;
  };
  auto c = std::make_shared<UsmCredentials>();
  c->user = std::move(user);
  c->level = level;
  c->auth_protocol = auth_protocol;
  c->priv_protocol = priv_protocol;
  if (level != SecurityLevel::kNoAuthNoPriv) {
    if (auth_password.empty()) throw std::invalid_argument("no auth key for user " + c->user);
    c->auth_ku = ku(auth_password);
  }
  if (level == SecurityLevel::kAuthPriv) {
    if (priv_password.empty()) throw std::invalid_argument("no priv key for user " + c->user);
    c->priv_ku = ku(priv_password);
  }
  return c;
}

std::shared_ptr<const UsmKeys> LocalizedKeyCache::keys(const UsmCredentials& c,
                                                       std::span<const std::uint8_t> engine_id) {
  Key key{c.user,
          static_cast<int>(c.level),
          static_cast<int>(c.auth_protocol),
          static_cast<int>(c.priv_protocol),
          c.auth_ku,
          c.priv_ku,
          Bytes(engine_id.begin(), engine_id.end())};
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  if (cache_.size() >= max_entries_) cache_.clear();
  auto k = std::make_shared<UsmKeys>();
  k->user = c.user;
  k->level = c.level;
  k->auth_protocol = c.auth_protocol;
  k->priv_protocol = c.priv_protocol;
  if (!c.auth_ku.empty()) k->auth_key = localize_key(c.auth_protocol, c.auth_ku, engine_id);
  if (!c.priv_ku.empty()) {
    k->priv_key = privacy_key(c.auth_protocol, c.priv_protocol,
                              localize_key(c.auth_protocol, c.priv_ku, engine_id));
  }
  ++computed_;
  cache_.emplace(std::move(key), k);
  return k;
}

}  // namespace netpower::manager::snmp
