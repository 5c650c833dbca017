#include "collectors/nut/nut_settings.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/duration.h"

namespace netpower::collectors::nut {

namespace {

bool present(const YAML::Node& map, const char* key) {
  auto node = map[key];
  return node && !node.IsNull();
}

// UPS and user names go into requests unquoted and into logs: keep them to NUT's usual alphabet.
bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (unsigned char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string name_key(const core::YamlReader& reader, const YAML::Node& node, const char* key,
                     const char* what) {
  auto value = reader.string(node, key, "", kMaxNameLength);
  if (!valid_name(value)) {
    reader.fail(node[key], std::string("'") + key + "' must be " + what + ": 1.." +
                               std::to_string(kMaxNameLength) +
                               " letters, digits, '.', '_' or '-'");
  }
  return value;
}

// Checks a password from any source. `at` locates the error; the password itself never appears.
void check_password(const core::YamlReader& reader, const YAML::Node& at, const std::string& where,
                    const std::string& password) {
  if (password.empty()) reader.fail(at, where + " gives an empty password");
  if (password.size() > kMaxPasswordLength) {
    reader.fail(at, where + " gives a password longer than " + std::to_string(kMaxPasswordLength) +
                        " characters");
  }
  for (unsigned char c : password) {
    if (c < 0x20 || c == 0x7f)
      reader.fail(at, where + " gives a password with a control character");
    // upsd 2.8.0 drops a request line that contains '#' without answering (see nut_protocol.h).
    if (c == '#')
      reader.fail(at, where + " gives a password with '#', which upsd 2.8.0 cannot read");
  }
}

std::string read_password_file(const core::YamlReader& reader, const YAML::Node& node) {
  auto path = reader.string(node, "password_file", "");
  auto at = node["password_file"];
  if (path.empty()) reader.fail(at, "'password_file' must be a path");
  std::ifstream in(path, std::ios::binary);
  if (!in) reader.fail(at, "cannot read password_file '" + path + "': " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  std::string password = text.str();
  // One line; the usual trailing newline of an editor or `echo` is not part of the password.
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.find('\n') != std::string::npos) {
    reader.fail(at, "password_file '" + path + "' must hold the password on a single line");
  }
  check_password(reader, at, "password_file '" + path + "'", password);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("nut: password_file '{}' is readable by group or others (mode {:o}); chmod 600",
                 path, st.st_mode & 0777);
  }
  return password;
}

core::Duration positive_duration(const core::YamlReader& reader, const YAML::Node& node,
                                 const char* key, core::Duration fallback, core::Duration min) {
  auto value = reader.duration(node, key, fallback);
  if (value < min) {
    reader.fail(node[key],
                std::string("'") + key + "' must be at least " + core::format_duration(min));
  }
  return value;
}

}  // namespace

NutSettings parse_nut_settings(const YAML::Node& node, const core::YamlReader& reader) {
  reader.expect_map(node, "nut settings",
                    {"host", "port", "ups", "username", "password", "password_file", "password_env",
                     "poll_interval", "timeout", "stale_after", "comm_lost_after",
                     "command_timeout", "reconnect_max"});
  if (!node || node.IsNull() || !present(node, "ups")) {
    reader.fail(node, "nut settings need 'ups': the UPS name in upsd's ups.conf");
  }
  NutSettings out;
  out.host = reader.string(node, "host", out.host, 64);
  if (out.host == "localhost") out.host = "127.0.0.1";
  in6_addr scratch{};
  if (::inet_pton(AF_INET, out.host.c_str(), &scratch) != 1 &&
      ::inet_pton(AF_INET6, out.host.c_str(), &scratch) != 1) {
    reader.fail(node["host"],
                "'host' must be a numeric IPv4 or IPv6 address (or localhost): "
                "resolving a name could block the agent's loop");
  }
  out.port = static_cast<std::uint16_t>(reader.integer(node, "port", out.port, 1, 65535));
  out.ups = name_key(reader, node, "ups", "the UPS name in upsd's ups.conf");

  const char* sources[] = {"password", "password_file", "password_env"};
  std::string source;  // the key that gives the password, if any
  for (const char* key : sources) {
    if (!present(node, key)) continue;
    if (!source.empty()) {
      reader.fail(node[key], "give the password one way only: '" + source + "' and '" + key +
                                 "' are both set");
    }
    source = key;
  }
  if (present(node, "username")) {
    out.username = name_key(reader, node, "username", "a user of upsd.users");
    if (source.empty()) {
      reader.fail(node["username"],
                  "'username' needs a password: set one of password, password_file, password_env");
    }
  } else if (!source.empty()) {
    reader.fail(node[source], "'" + source + "' needs 'username' (a user of upsd.users)");
  }
  if (source == "password") {
    out.password = reader.string(node, "password", "", kMaxPasswordLength);
    check_password(reader, node["password"], "'password'", out.password);
  } else if (source == "password_file") {
    out.password = read_password_file(reader, node);
  } else if (source == "password_env") {
    auto name = reader.string(node, "password_env", "", 128);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (!value) {
      reader.fail(node["password_env"], "environment variable '" + name + "' is not set");
    }
    out.password = value;
    check_password(reader, node["password_env"], "environment variable '" + name + "'",
                   out.password);
  }

  using std::chrono::milliseconds;
  out.poll_interval =
      positive_duration(reader, node, "poll_interval", out.poll_interval, kMinPollInterval);
  out.timeout = positive_duration(reader, node, "timeout", out.timeout, milliseconds(10));
  out.comm_lost_after =
      positive_duration(reader, node, "comm_lost_after", out.comm_lost_after, milliseconds(10));
  if (node["stale_after"] && !node["stale_after"].IsNull()) {
    out.stale_after = positive_duration(reader, node, "stale_after", {}, milliseconds(10));
    if (*out.stale_after > out.comm_lost_after) {
      reader.fail(node["stale_after"], "'stale_after' must not be longer than 'comm_lost_after'");
    }
    if (*out.stale_after < out.poll_interval) {
      reader.fail(node["stale_after"], "'stale_after' must be at least 'poll_interval'");
    }
  }
  out.command_timeout =
      positive_duration(reader, node, "command_timeout", out.command_timeout, milliseconds(10));
  out.reconnect_max =
      positive_duration(reader, node, "reconnect_max", out.reconnect_max, milliseconds(10));
  return out;
}

}  // namespace netpower::collectors::nut
