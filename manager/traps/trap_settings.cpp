#include "manager/traps/trap_settings.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config_error.h"
#include "manager/config/secret_reader.h"

namespace netpower::manager::traps {

namespace {

using config::AuthProtocol;
using config::PrivProtocol;
using config::SecurityLevel;
using core::YamlReader;

using config::kMinUsmKeyLength;

std::optional<config::Secret> read_secret(const YamlReader& r, const YAML::Node& map,
                                          const std::string& key) {
  auto at = config::read_secret(r, map, key);
  if (!at) return std::nullopt;
  return at->secret;
}

TrapUser read_user(const YamlReader& r, const YAML::Node& node) {
  if (!node.IsMap()) r.fail(node, "each entry of 'traps.users' must be a mapping (user, ...)");
  r.expect_map(node, "a trap user",
               {"user", "security_level", "auth_protocol", "auth_key", "auth_key_file",
                "auth_key_env", "priv_protocol", "priv_key", "priv_key_file", "priv_key_env"});
  TrapUser u;
  u.line = node.Mark().line + 1;
  u.usm.user = r.string(node, "user", "", 32);
  if (u.usm.user.empty()) r.fail(node, "a trap user needs 'user'");
  u.usm.level =
      config::read_security_level(r, node, "security_level").value_or(SecurityLevel::kAuthPriv);
  u.usm.auth_protocol =
      config::read_auth_protocol(r, node, "auth_protocol").value_or(AuthProtocol::kSha);
  u.usm.priv_protocol =
      config::read_priv_protocol(r, node, "priv_protocol").value_or(PrivProtocol::kAes);
  auto auth = read_secret(r, node, "auth_key");
  auto priv = read_secret(r, node, "priv_key");
  const std::string who = "trap user '" + u.usm.user + "'";
  if (u.usm.level != SecurityLevel::kNoAuthNoPriv) {
    if (!auth) r.fail(node, who + " needs an auth_key (auth_key, auth_key_file or auth_key_env)");
    if (auth->reveal().size() < kMinUsmKeyLength) {
      r.fail(node, "SNMPv3 keys need at least " + std::to_string(kMinUsmKeyLength) + " characters");
    }
    u.usm.auth_key = *auth;
  } else if (auth) {
    r.fail(node, who + " at noAuthNoPriv takes no auth_key");
  }
  if (u.usm.level == SecurityLevel::kAuthPriv) {
    if (!priv) r.fail(node, who + " needs a priv_key (priv_key, priv_key_file or priv_key_env)");
    if (priv->reveal().size() < kMinUsmKeyLength) {
      r.fail(node, "SNMPv3 keys need at least " + std::to_string(kMinUsmKeyLength) + " characters");
    }
    u.usm.priv_key = *priv;
  } else if (priv) {
    r.fail(node, who + " below authPriv takes no priv_key");
  }
  return u;
}

}  // namespace

TrapSettings read_trap_settings(const YamlReader& r, const YAML::Node& node) {
  TrapSettings s;
  if (!node || node.IsNull()) return s;
  r.expect_map(node, "traps",
               {"enabled", "listen", "port", "communities", "users", "engine_id", "engine_file",
                "receive_buffer", "decoder_threads", "queue_packets", "max_packet_bytes"});
  s.enabled = r.boolean(node, "enabled", s.enabled);
  s.listen_address = r.string(node, "listen", s.listen_address, 64);
  in6_addr scratch;
  if (inet_pton(AF_INET, s.listen_address.c_str(), &scratch) != 1 &&
      inet_pton(AF_INET6, s.listen_address.c_str(), &scratch) != 1) {
    r.fail(node["listen"],
           "'listen' must be a numeric IPv4 or IPv6 address, not '" + s.listen_address + "'");
  }
  s.port = static_cast<std::uint16_t>(r.integer(node, "port", s.port, 0, 65535));
  if (auto list = node["communities"]; list && !list.IsNull()) {
    if (!list.IsSequence()) {
      r.fail(list, "'communities' must be a list of {community | community_file | community_env}");
    }
    for (const auto& item : list) {
      r.expect_map(item, "a trap community", {"community", "community_file", "community_env"});
      auto secret = item.IsMap() ? read_secret(r, item, "community") : std::nullopt;
      if (!secret) r.fail(item, "each entry of 'communities' needs community, _file or _env");
      if (secret->reveal() == "public" || secret->reveal() == "private") {
        r.fail(item, "the communities 'public' and 'private' are not accepted (default-deny)");
      }
      s.communities.push_back(std::move(*secret));
    }
  }
  if (auto list = node["users"]; list && !list.IsNull()) {
    if (!list.IsSequence()) r.fail(list, "'users' must be a list of SNMPv3 users");
    for (const auto& item : list) s.users.push_back(read_user(r, item));
  }
  s.engine_id = r.string(node, "engine_id", "", 64);
  if (!s.engine_id.empty()) {
    bool hex = s.engine_id.size() % 2 == 0 && s.engine_id.size() >= 10;
    for (char c : s.engine_id) hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    if (!hex) r.fail(node["engine_id"], "'engine_id' must be 5..32 bytes written in hex");
  }
  s.engine_file = r.string(node, "engine_file", s.engine_file, 4096);
  if (s.engine_file.empty()) {
    r.fail(node["engine_file"], "'engine_file' must name a file (engine boots must persist)");
  }
  if (auto b = node["receive_buffer"]; b && !b.IsNull()) {
    auto text = r.string(node, "receive_buffer", "");
    auto bytes = config::parse_bytes(text);
    if (!bytes || *bytes < 65536 || *bytes > (1ull << 31)) {
      r.fail(b, "'receive_buffer' must be a size between 64KiB and 2GiB, not '" + text + "'");
    }
    s.receive_buffer_bytes = *bytes;
  }
  s.decoder_threads =
      static_cast<std::size_t>(r.integer(node, "decoder_threads", s.decoder_threads, 1, 64));
  s.queue_packets =
      static_cast<std::size_t>(r.integer(node, "queue_packets", s.queue_packets, 64, 1 << 20));
  s.max_packet_bytes =
      static_cast<std::size_t>(r.integer(node, "max_packet_bytes", s.max_packet_bytes, 484, 65535));
  return s;
}

TrapSettings parse_trap_settings(const std::string& text, const std::string& file) {
  YamlReader reader(file);
  auto root = reader.load_string(text);
  return read_trap_settings(reader, root["traps"]);
}

}  // namespace netpower::manager::traps
