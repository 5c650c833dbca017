#include "tests/support/snmp_cli.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <sstream>
#include <utility>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#ifndef NETPOWER_SNMP_TOOLS_DIR
#define NETPOWER_SNMP_TOOLS_DIR ""
#endif

namespace netpower::testing {
namespace {

// Value texts the tools print for the three SNMPv2 varbind exceptions (net-snmp 5.x, mib.c).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kExceptions{{
    {"No Such Object available on this agent at this OID", "noSuchObject"},
    {"No Such Instance currently exists at this OID", "noSuchInstance"},
    {"No more variables left in this MIB View", "endOfMibView"},
}};

// Failures of the exchange that the tools report on stderr without an error-status.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kExchangeErrors{{
    {"Timeout: No Response from", "timeout"},
    {": Timeout\n", "timeout"},  // SNMPv3 engine-ID discovery got no answer: "snmpget: Timeout"
    {"Authentication failure", "authenticationFailure"},
    {"Unknown user name", "unknownUserName"},
    {"Unsupported security level", "unsupportedSecLevel"},
    {"Decryption error", "decryptionError"},
}};

std::string strip_dot(std::string_view oid) {
  if (oid.starts_with('.')) {
    oid.remove_prefix(1);
  }
  return std::string(oid);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode_hex(std::string_view text) {
  std::string bytes;
  int high = -1;
  for (char c : text) {
    const int digit = hex_digit(c);
    if (digit < 0) {
      high = -1;
      continue;
    }
    if (high < 0) {
      high = digit;
    } else {
      bytes.push_back(static_cast<char>(high * 16 + digit));
      high = -1;
    }
  }
  return bytes;
}

// Walks stdout varbind by varbind. A varbind starts on a line beginning with '.' (all OIDs are
// printed numerically with -On); quoted strings and Hex-STRING dumps may continue on further lines.
class OutputParser {
 public:
  explicit OutputParser(std::string_view text) : text_(text) {}

  std::vector<Varbind> parse() {
    std::vector<Varbind> varbinds;
    while (pos_ < text_.size()) {
      const std::size_t eol = line_end(pos_);
      const std::string_view line = text_.substr(pos_, eol - pos_);
      const std::size_t sep = line.find(" = ");
      if (!line.starts_with('.') || sep == std::string_view::npos) {
        pos_ = eol + 1;  // not a varbind (a tool's chatter): skip
        continue;
      }
      Varbind varbind;
      varbind.oid = strip_dot(line.substr(0, sep));
      parse_value(pos_ + sep + 3, eol, varbind);
      varbinds.push_back(std::move(varbind));
    }
    return varbinds;
  }

 private:
  std::size_t line_end(std::size_t from) const {
    const std::size_t eol = text_.find('\n', from);
    return eol == std::string_view::npos ? text_.size() : eol;
  }

  // Parses the value starting at `start` (on a line ending at `eol`) and moves pos_ past it.
  void parse_value(std::size_t start, std::size_t eol, Varbind& varbind) {
    std::string_view rest = text_.substr(start, eol - start);
    pos_ = eol + 1;
    for (const auto& [text, name] : kExceptions) {
      if (rest.starts_with(text)) {
        varbind.type = name;
        return;
      }
    }
    constexpr std::string_view kWrongType = "Wrong Type (should be ";
    if (rest.starts_with(kWrongType)) {  // only with MIBs loaded; the real type follows
      const std::size_t close = rest.find("): ");
      if (close != std::string_view::npos) {
        start += close + 3;
        rest = text_.substr(start, eol - start);
      }
    }
    if (rest.starts_with('"')) {  // an empty string prints as `""` without a type
      varbind.type = "STRING";
      varbind.value = parse_quoted(start);
      return;
    }
    const std::size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) {
      varbind.type = std::string(trim(rest));  // NULL
      return;
    }
    varbind.type = std::string(rest.substr(0, colon));
    start += colon + 2;
    rest = trim(text_.substr(start, eol - start));
    if (varbind.type == "STRING" && rest.starts_with('"')) {
      varbind.value = parse_quoted(start);
    } else if (varbind.type == "Hex-STRING") {
      varbind.type = "STRING";
      varbind.value = parse_hex(start);
    } else if (varbind.type == "Timeticks" && rest.starts_with('(')) {
      varbind.value = std::string(rest.substr(1, rest.find(')') - 1));
    } else if (varbind.type == "OID") {
      varbind.value = strip_dot(rest);
    } else {
      varbind.value = std::string(rest);
    }
  }

  // `from` is at the opening quote; the tools escape '"' and '\' with a backslash.
  std::string parse_quoted(std::size_t from) {
    std::string value;
    std::size_t i = from + 1;
    for (; i < text_.size() && text_[i] != '"'; ++i) {
      if (text_[i] == '\\' && i + 1 < text_.size()) {
        ++i;
      }
      value.push_back(text_[i]);
    }
    pos_ = line_end(i < text_.size() ? i : text_.size() - 1) + 1;
    return value;
  }

  // Hex-STRING continues on following lines until the next varbind line.
  std::string parse_hex(std::size_t from) {
    std::size_t end = line_end(from);
    while (end + 1 < text_.size() && text_[end + 1] != '.') {
      end = line_end(end + 1);
    }
    pos_ = end + 1;
    return decode_hex(text_.substr(from, end - from));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// "Reason: wrongType (The set ...)" or v1's "Reason: (noSuchName) There is ...".
std::string reason_name(std::string_view reason) {
  if (reason.starts_with('(')) {
    reason.remove_prefix(1);
  }
  std::size_t n = 0;
  while (n < reason.size() && std::isalpha(static_cast<unsigned char>(reason[n])) != 0) {
    ++n;
  }
  std::string name(reason.substr(0, n));
  // net-snmp prints v2's genErr (and v1's genErr) as "(genError)"; report the RFC 3416 name.
  if (name == "genError") return "genErr";
  return name;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buffer.data();
}

std::string tool_path(const std::string& tool) {
  const std::string dir = NETPOWER_SNMP_TOOLS_DIR;
  return dir.empty() ? tool : dir + "/" + tool;
}

}  // namespace

SnmpCredentials SnmpCredentials::v1(std::string community) {
  SnmpCredentials credentials;
  credentials.version = Version::kV1;
  credentials.community = std::move(community);
  return credentials;
}

SnmpCredentials SnmpCredentials::v2c(std::string community) {
  SnmpCredentials credentials;
  credentials.version = Version::kV2c;
  credentials.community = std::move(community);
  return credentials;
}

SnmpCredentials SnmpCredentials::usm(std::string user, std::string auth_password,
                                     std::string priv_password) {
  SnmpCredentials credentials;
  credentials.user = std::move(user);
  credentials.auth_password = std::move(auth_password);
  credentials.priv_password = std::move(priv_password);
  return credentials;
}

std::vector<std::string> SnmpCredentials::args() const {
  switch (version) {
    case Version::kV1:
      return {"-v1", "-c", community};
    case Version::kV2c:
      return {"-v2c", "-c", community};
    case Version::kV3:
      break;
  }
  std::vector<std::string> args{"-v3", "-l", security_level, "-u", user};
  if (security_level != "noAuthNoPriv") {
    args.insert(args.end(), {"-a", auth_protocol, "-A", auth_password});
  }
  if (security_level == "authPriv") {
    args.insert(args.end(), {"-x", priv_protocol, "-X", priv_password});
  }
  return args;
}

const Varbind* SnmpResult::find(std::string_view oid) const {
  const std::string wanted = strip_dot(oid);
  for (const Varbind& varbind : varbinds) {
    if (varbind.oid == wanted) {
      return &varbind;
    }
  }
  return nullptr;
}

std::string SnmpResult::describe() const {
  std::ostringstream text;
  text << "command:";
  for (const std::string& arg : command) {
    text << ' ' << (arg.empty() || arg.find(' ') != std::string::npos ? "'" + arg + "'" : arg);
  }
  text << "\nexit code: " << exit_code << "\nerror: " << (error.empty() ? "(none)" : error);
  if (!failed_oid.empty()) {
    text << " at " << failed_oid;
  }
  text << "\nstdout:\n" << raw << (raw.empty() || raw.back() == '\n' ? "" : "\n");
  text << "stderr:\n" << err << (err.empty() || err.back() == '\n' ? "" : "\n");
  return text.str();
}

SnmpResult parse_snmp_output(std::string out, std::string err, int exit_code) {
  SnmpResult result;
  result.exit_code = exit_code;
  result.raw = std::move(out);
  result.err = std::move(err);
  result.varbinds = OutputParser(result.raw).parse();

  const std::string_view err_text = result.err;
  constexpr std::string_view kReason = "Reason: ";
  if (const std::size_t at = err_text.find(kReason); at != std::string_view::npos) {
    result.error = reason_name(err_text.substr(at + kReason.size()));
  }
  for (const auto& [text, name] : kExchangeErrors) {
    if (result.error.empty() && err_text.find(text) != std::string_view::npos) {
      result.error = name;
    }
  }
  constexpr std::string_view kFailed = "Failed object: ";
  if (const std::size_t at = err_text.find(kFailed); at != std::string_view::npos) {
    const std::size_t from = at + kFailed.size();
    result.failed_oid = strip_dot(trim(err_text.substr(from, err_text.find('\n', from) - from)));
  }
  if (result.error.empty() && exit_code != 0) {
    result.error = "toolError";
  }
  for (const Varbind& varbind : result.varbinds) {
    if (!result.error.empty()) {
      break;
    }
    if (varbind.type == "noSuchObject" || varbind.type == "noSuchInstance" ||
        varbind.type == "endOfMibView") {
      result.error = varbind.type;
    }
  }
  return result;
}

SnmpCli::SnmpCli(std::string target, SnmpCredentials credentials, SnmpCliOptions options)
    : target_(std::move(target)),
      credentials_(std::move(credentials)),
      options_(std::move(options)) {
  if (options_.persistent_dir.empty()) {
    own_persistent_dir_ = std::make_shared<TempDir>("np-cli");
    options_.persistent_dir = own_persistent_dir_->path();
  }
  // Pre-created so that the tools do not announce "Created directory: ..." on stderr.
  std::error_code ignored;
  std::filesystem::create_directories(options_.persistent_dir / "cert_indexes", ignored);
}

SnmpCli SnmpCli::with_options(SnmpCliOptions options) const {
  SnmpCli copy = *this;
  if (options.persistent_dir.empty()) {
    options.persistent_dir = options_.persistent_dir;
  }
  copy.options_ = std::move(options);
  std::error_code ignored;
  std::filesystem::create_directories(copy.options_.persistent_dir / "cert_indexes", ignored);
  return copy;
}

SnmpResult SnmpCli::run(const std::string& tool, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{tool_path(tool)};
  const std::vector<std::string> credential_args = credentials_.args();
  argv.insert(argv.end(), credential_args.begin(), credential_args.end());
  argv.insert(argv.end(), {"-m", "", "-M", "/nonexistent", "-On", "-Oe", "-Ob", "-OU", "-r",
                           std::to_string(options_.retries), "-t", seconds_text(options_.timeout)});
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  // Tool-specific options (-Cr...) must come before the target: the tools stop at the first
  // operand.
  auto first_operand = args.begin();
  while (first_operand != args.end() && first_operand->starts_with("-C")) {
    ++first_operand;
  }
  argv.insert(argv.end(), args.begin(), first_operand);
  argv.push_back(target_);
  argv.insert(argv.end(), first_operand, args.end());

  const EnvChanges env{
      "SNMPCONFPATH=/nonexistent", "MIBS=",
      "MIBDIRS=/nonexistent",      "SNMP_PERSISTENT_DIR=" + options_.persistent_dir.string(),
      "SNMP_PERSISTENT_FILE",
  };
  CommandResult command = run_command(argv, options_.command_timeout, env);
  SnmpResult result =
      parse_snmp_output(std::move(command.out), std::move(command.err), command.status.code);
  if (command.timed_out) {
    result.error = "commandTimeout";
  }
  result.command = std::move(argv);
  return result;
}

SnmpResult SnmpCli::get(const std::vector<std::string>& oids) const { return run("snmpget", oids); }

SnmpResult SnmpCli::get_next(const std::vector<std::string>& oids) const {
  return run("snmpgetnext", oids);
}

SnmpResult SnmpCli::walk(const std::string& root) const { return run("snmpwalk", {root}); }

SnmpResult SnmpCli::bulk_walk(const std::string& root, int max_repetitions) const {
  return run("snmpbulkwalk", {"-Cr" + std::to_string(max_repetitions), root});
}

SnmpResult SnmpCli::bulk_get(int non_repeaters, int max_repetitions,
                             const std::vector<std::string>& oids) const {
  std::vector<std::string> args{"-Cn" + std::to_string(non_repeaters),
                                "-Cr" + std::to_string(max_repetitions)};
  args.insert(args.end(), oids.begin(), oids.end());
  return run("snmpbulkget", args);
}

SnmpResult SnmpCli::set(const std::vector<SetValue>& values) const {
  std::vector<std::string> args;
  for (const SetValue& value : values) {
    args.insert(args.end(), {value.oid, std::string(1, value.type), value.value});
  }
  return run("snmpset", args);
}

SnmpResult SnmpCli::set(const std::string& oid, char type, const std::string& value) const {
  return set(std::vector<SetValue>{{oid, type, value}});
}

}  // namespace netpower::testing
