#include "manager/traps/detail/engine_identity.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace netpower::manager::traps::detail {

namespace {

namespace fs = std::filesystem;

// net-snmp's own engine IDs: enterprise 8072 with the RFC 3411 high bit, format 128 (enterprise
// specific), then random bytes (setup_engineID in snmplib/snmpv3.c uses a random int and the time).
constexpr std::uint8_t kNewIdPrefix[] = {0x80, 0x00, 0x1f, 0x88, 0x80};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Temporary file, fsync, rename, fsync of the directory: the file is whole, or the old one.
void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec)
      throw std::runtime_error("cannot create the directory " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  const fs::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(errno_text("cannot write " + tmp.string()));
  std::string error;
  std::size_t done = 0;
  while (error.empty() && done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      error = errno_text("cannot write " + tmp.string());
    else
      done += static_cast<std::size_t>(n);
  }
  if (error.empty() && ::fsync(fd) != 0) error = errno_text("cannot flush " + tmp.string());
  ::close(fd);
  if (error.empty() && ::rename(tmp.c_str(), file.c_str()) != 0) {
    error = errno_text("cannot rename " + tmp.string() + " to " + file.string());
  }
  if (!error.empty()) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(error);
  }
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

std::string engine_id_hex(std::span<const std::uint8_t> id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(id.size() * 2);
  for (auto b : id) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> parse_engine_id(std::string_view hex) {
  if (hex.size() % 2 != 0 || hex.size() < 10 || hex.size() > 64) return std::nullopt;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    std::uint8_t byte = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) return std::nullopt;
    out.push_back(byte);
  }
  return out;
}

std::string format_engine_state(const EngineIdentity& identity) {
  return "# netpower-manager: the trap receiver's SNMPv3 engine (docs/traps.md). Written at every "
         "start.\nengine_id " +
         engine_id_hex(identity.id) + "\nengine_boots " + std::to_string(identity.boots) + "\n";
}

std::optional<EngineIdentity> parse_engine_state(std::string_view text, std::string& error) {
  EngineIdentity out;
  bool have_id = false;
  bool have_boots = false;
  int line_number = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const auto line = trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find_first_of(" \t");
    const auto key = line.substr(0, space);
    const auto value =
        space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
    const std::string at = "line " + std::to_string(line_number) + ": ";
    if (key == "engine_id") {
      auto id = parse_engine_id(value);
      if (have_id || !id) {
        error = at + (have_id ? "a second engine_id" : "engine_id is not 5..32 bytes of hex");
        return std::nullopt;
      }
      out.id = std::move(*id);
      have_id = true;
    } else if (key == "engine_boots") {
      std::uint32_t boots = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), boots);
      if (have_boots || ec != std::errc() || end != value.data() + value.size() || boots < 1 ||
          boots > kMaxEngineBoots) {
        error = at + (have_boots ? "a second engine_boots" : "engine_boots is not 1..2147483647");
        return std::nullopt;
      }
      out.boots = boots;
      have_boots = true;
    } else {
      error = at + "unknown key '" + std::string(key) + "'";
      return std::nullopt;
    }
  }
  if (!have_id || !have_boots) {
    error = !have_id ? "no engine_id line" : "no engine_boots line";
    return std::nullopt;
  }
  return out;
}

EngineIdentity next_engine_identity(std::string_view configured,
                                    const std::optional<EngineIdentity>& stored,
                                    std::span<const std::uint8_t, 12> random) {
  EngineIdentity next;
  if (!configured.empty()) {
    auto id = parse_engine_id(configured);
    if (!id) throw std::invalid_argument("traps.engine_id is not 5..32 bytes of hex");
    next.id = std::move(*id);
  } else if (stored) {
    next.id = stored->id;
  } else {
    next.id.resize(sizeof kNewIdPrefix + random.size());
    std::copy(std::begin(kNewIdPrefix), std::end(kNewIdPrefix), next.id.begin());
    std::copy(random.begin(), random.end(), next.id.begin() + sizeof kNewIdPrefix);
  }
  if (stored && stored->id == next.id) {
    next.boots = stored->boots < kMaxEngineBoots ? stored->boots + 1 : kMaxEngineBoots;
  } else {
    next.boots = 1;
  }
  return next;
}

EngineIdentity load_engine_identity(std::string_view configured, const fs::path& file) {
  const std::string name =
      "traps: the SNMPv3 engine file " + file.string() + " (traps.engine_file)";
  std::optional<EngineIdentity> stored;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    // Small by construction; read at most one byte more than is allowed.
    constexpr std::size_t kMaxBytes = 4096;
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(name + " cannot be read: " + std::strerror(errno));
    std::string text(kMaxBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw std::runtime_error(name + " cannot be read");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBytes) {
      throw std::runtime_error(name +
                               " is damaged (more than 4096 bytes); fix it, or delete it to "
                               "start a new engine (senders will rediscover its ID)");
    }
    std::string error;
    stored = parse_engine_state(text, error);
    if (!stored) {
      // Written atomically: a damaged file is damage, not a first start. A new engine ID would make
      // every sender rediscover us, so that is the operator's decision.
      throw std::runtime_error(name + " is damaged (" + error +
                               "); fix it, or delete it to start a new engine (senders will "
                               "rediscover its ID)");
    }
  } else if (ec) {
    throw std::runtime_error(name + " cannot be read: " + ec.message());
  }
  std::array<std::uint8_t, 12> random{};
  if (!stored && configured.empty()) {
    if (::getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size())) {
      throw std::runtime_error(errno_text("traps: getrandom"));
    }
  }
  auto next = next_engine_identity(configured, stored, random);
  try {
    write_atomically(file, format_engine_state(next));
  } catch (const std::exception& e) {
    throw std::runtime_error(name + " cannot be written (" + e.what() +
                             "); engine boots must persist across restarts (RFC 3414)");
  }
  return next;
}

}  // namespace netpower::manager::traps::detail
