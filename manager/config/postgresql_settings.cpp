#include "manager/config/postgresql_settings.h"

#include <algorithm>
#include <set>
#include <string>

#include "manager/config/secret_reader.h"
#include "manager/config/value_readers.h"

namespace netpower::manager::config {

namespace {

using core::Duration;
using core::YamlReader;
using detail::bounded_duration;

void append_param(std::string& out, const char* key, const std::string& value) {
  out += out.empty() ? "" : " ";
  out += key;
  out += "='";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

// The writer session's statement timeout and TCP settings (store.postgresql).
void read_postgresql_timeouts(const YamlReader& r, const YAML::Node& node, PostgresqlSettings& pg) {
  const auto seconds = [&](const char* key, Duration& value, Duration min, Duration max,
                           const char* range) {
    if (node[key]) value = bounded_duration(r, node, key, min, max, range);
  };
  seconds("statement_timeout", pg.statement_timeout, std::chrono::milliseconds(10),
          std::chrono::hours(1), "10ms and 1h");
  seconds("keepalives_idle", pg.keepalives_idle, std::chrono::seconds(1), std::chrono::hours(2),
          "1s and 2h");
  seconds("keepalives_interval", pg.keepalives_interval, std::chrono::seconds(1),
          std::chrono::minutes(10), "1s and 10m");
  pg.keepalives_count =
      static_cast<int>(r.integer(node, "keepalives_count", pg.keepalives_count, 1, 100));
  seconds("tcp_user_timeout", pg.tcp_user_timeout, std::chrono::seconds(1), std::chrono::hours(1),
          "1s and 1h");
}

}  // namespace

void read_postgresql_settings(const YamlReader& r, const YAML::Node& node, PostgresqlSettings& pg) {
  r.expect_map(node, "store.postgresql",
               {"conninfo", "host", "port", "dbname", "user", "password", "password_file",
                "password_env", "sslmode", "partitions_ahead_days", "statement_timeout",
                "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"});
  if (!node) return;
  pg.conninfo = r.string(node, "conninfo", "");
  if (!pg.conninfo.empty()) {
    for (auto* k : {"host", "port", "dbname", "user", "sslmode"}) {
      if (node[k]) r.fail(node[k], std::string("'") + k + "' and 'conninfo' cannot both be set");
    }
    if (pg.conninfo.find("://") != std::string::npos) {
      r.fail(node["conninfo"],
             "write 'conninfo' as keyword=value pairs (host=... dbname=...), not as a URI");
    }
    if (pg.conninfo.find("password") != std::string::npos) {
      r.fail(node["conninfo"],
             "'conninfo' must not carry the password: use password_file or password_env");
    }
  }
  pg.host = r.string(node, "host", pg.host);
  if (pg.host.empty()) r.fail(node["host"], "'host' is empty");
  pg.port = static_cast<std::uint16_t>(r.integer(node, "port", pg.port, 1, 65535));
  pg.dbname = r.string(node, "dbname", pg.dbname, 63);
  pg.user = r.string(node, "user", pg.user, 63);
  if (pg.dbname.empty() || pg.user.empty()) r.fail(node, "'dbname' and 'user' may not be empty");
  if (auto password = read_secret(r, node, "password")) pg.password = password->secret;
  pg.sslmode = r.string(node, "sslmode", "");
  if (!pg.sslmode.empty()) {
    static const std::set<std::string> modes = {"disable", "allow",     "prefer",
                                                "require", "verify-ca", "verify-full"};
    if (!modes.count(pg.sslmode)) {
      r.fail(node["sslmode"],
             "'sslmode' must be one of disable, allow, prefer, require, verify-ca, verify-full");
    }
  }
  pg.partitions_ahead_days =
      static_cast<int>(r.integer(node, "partitions_ahead_days", pg.partitions_ahead_days, 1, 60));
  read_postgresql_timeouts(r, node, pg);
}

std::string PostgresqlSettings::describe() const {
  if (!conninfo.empty()) return conninfo;
  std::string out;
  append_param(out, "host", host);
  append_param(out, "port", std::to_string(port));
  append_param(out, "dbname", dbname);
  append_param(out, "user", user);
  if (!sslmode.empty()) append_param(out, "sslmode", sslmode);
  return out;
}

std::string PostgresqlSettings::connection_string(std::chrono::seconds connect_timeout) const {
  const auto s = [](core::Duration d) {
    return std::to_string(
        std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count()));
  };
  std::string out;
  append_param(out, "keepalives", "1");
  append_param(out, "keepalives_idle", s(keepalives_idle));
  append_param(out, "keepalives_interval", s(keepalives_interval));
  append_param(out, "keepalives_count", std::to_string(keepalives_count));
  append_param(
      out, "tcp_user_timeout",
      std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(tcp_user_timeout).count()));
  out += " " + describe();
  if (!password.empty()) append_param(out, "password", password.reveal());
  append_param(out, "connect_timeout", std::to_string(connect_timeout.count()));
  append_param(out, "application_name", "netpower-manager");
  return out;
}

}  // namespace netpower::manager::config
