// The net-snmp command-line tools as a test client: what an operator or an NMS would send, over
// UDP.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netpower::testing {

class TempDir;

// Who the tools speak as. Passwords are test fixtures, visible in command lines and failure output.
struct SnmpCredentials {
  enum class Version { kV1, kV2c, kV3 };

  Version version = Version::kV3;
  std::string community;                    // v1/v2c
  std::string user;                         // v3 (USM)
  std::string security_level = "authPriv";  // noAuthNoPriv | authNoPriv | authPriv
  std::string auth_protocol = "SHA";        // -a
  std::string auth_password;                // -A
  std::string priv_protocol = "AES";        // -x
  std::string priv_password;                // -X

  static SnmpCredentials v1(std::string community);
  static SnmpCredentials v2c(std::string community);
  // SNMPv3 authPriv with SHA + AES.
  static SnmpCredentials usm(std::string user, std::string auth_password,
                             std::string priv_password);

  // The tools' arguments for these credentials ("-v3 -l authPriv -u ..." or "-v2c -c ...").
  std::vector<std::string> args() const;
};

struct SnmpCliOptions {
  int retries = 1;                                   // -r
  std::chrono::milliseconds timeout{2000};           // -t, per request
  std::chrono::milliseconds command_timeout{60000};  // hard cap on one tool run
  std::filesystem::path persistent_dir;              // empty: a private temporary directory
  std::vector<std::string> extra_args;               // inserted before the target
};

// One variable binding as the agent returned it.
//   oid:   numeric, without leading dot: "1.3.6.1.2.1.1.3.0"
//   type:  the tools' type name: "STRING" (any OCTET STRING, printable or not), "INTEGER",
//   "Gauge32",
//          "Counter32", "Counter64", "Timeticks", "OID", "IpAddress", "Opaque", "NULL"; or an
//          exception: "noSuchObject", "noSuchInstance", "endOfMibView" (value empty)
//   value: STRING: the exact bytes (quotes and escapes removed, Hex-STRING decoded); Timeticks: the
//          tick count ("4417"); OID: numeric without leading dot; otherwise the text as printed
//          ("3", "127.0.0.1")
struct Varbind {
  std::string oid;
  std::string type;
  std::string value;
};

// What one tool run produced.
struct SnmpResult {
  std::vector<std::string> command;  // argv that was run
  int exit_code = -1;                // -1 when killed (command_timeout)
  std::string raw;                   // stdout as printed
  std::string err;                   // stderr as printed
  std::vector<Varbind> varbinds;

  // Empty on success, else the first error, named as in RFC 3416 (error-status or varbind
  // exception): tooBig, noSuchName, badValue, readOnly, genErr, noAccess, wrongType, wrongLength,
  // wrongEncoding, wrongValue, noCreation, inconsistentValue, resourceUnavailable, commitFailed,
  // undoFailed, authorizationError, notWritable, inconsistentName, noSuchObject, noSuchInstance,
  // endOfMibView; or a failure of the exchange itself: timeout (no response), authenticationFailure
  // (wrong USM key), unknownUserName, unsupportedSecLevel, decryptionError, commandTimeout (killed
  // at the hard cap), toolError (anything else that made the tool fail; see err).
  std::string error;
  std::string failed_oid;  // "Failed object:" of an error-status, numeric without leading dot

  bool ok() const { return error.empty(); }
  // The varbind for `oid` (with or without leading dot), or nullptr.
  const Varbind* find(std::string_view oid) const;
  // Command, exit code, error, stdout and stderr: a test's failure message.
  std::string describe() const;
};

// Parses the tools' output as produced with SnmpCli's flags (-On -Oe -Ob -OU, no MIBs):
//   .1.3.6.1.2.1.1.4.0 = STRING: "text, \"quotes\" and \\ escaped; may span
//   lines"
//   .1.3.6.1.2.1.1.4.0 = Hex-STRING: 01 02 41        (non-printable strings, 16 bytes per line)
//   .1.3.6.1.2.1.1.4.0 = ""                          (empty string: no type)
//   .1.3.6.1.2.1.1.3.0 = Timeticks: (4417) 0:00:44.17
//   .1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.8072.3.2.10
//   .1.3.6.1.2.1.1.7.0 = INTEGER: 72
//   .1.3.6.1.4.1.99999 = No Such Object available on this agent at this OID
// and the error reports on stderr ("Timeout: No Response from ...", "Error in packet.\nReason:
// wrongType (...)\nFailed object: .1.3...", "Reason: (noSuchName) ...", "Authentication failure").
// Pure function: this is what the parser's own tests feed with canned text.
SnmpResult parse_snmp_output(std::string out, std::string err, int exit_code);

// One assignment for snmpset: type letter as the tools take it (i INTEGER, u Gauge32, t Timeticks,
// a IpAddress, o OID, s STRING, x hex STRING, d decimal STRING, n NULL, b BITS, U/I/F/D Opaque).
struct SetValue {
  std::string oid;
  char type = 's';
  std::string value;
};

// Runs snmpget & co. against one target with one set of credentials. Each call is one tool run.
//
// Every run is independent of the machine's configuration: no MIBs (-m "" -M /nonexistent, MIBS=),
// SNMPCONFPATH=/nonexistent so that neither ~/.snmp nor /etc/snmp/snmp.conf is read, and a private
// SNMP_PERSISTENT_DIR (the tools write engine-id caches and cert indexes there, never to
// /var/lib/snmp). Copies share the persistent directory.
class SnmpCli {
 public:
  // `target` as the tools take it: "udp:127.0.0.1:16161".
  SnmpCli(std::string target, SnmpCredentials credentials, SnmpCliOptions options = {});

  SnmpResult get(const std::vector<std::string>& oids) const;
  SnmpResult get_next(const std::vector<std::string>& oids) const;
  SnmpResult walk(const std::string& root) const;
  SnmpResult bulk_walk(const std::string& root, int max_repetitions = 10) const;
  SnmpResult bulk_get(int non_repeaters, int max_repetitions,
                      const std::vector<std::string>& oids) const;
  SnmpResult set(const std::vector<SetValue>& values) const;
  SnmpResult set(const std::string& oid, char type, const std::string& value) const;
  // Any tool ("snmptable", "snmpstatus", ...) with the common arguments and `args`: its leading
  // tool-specific "-C..." options go before the target, the rest after it.
  SnmpResult run(const std::string& tool, const std::vector<std::string>& args) const;

  const std::string& target() const { return target_; }
  const SnmpCredentials& credentials() const { return credentials_; }
  const SnmpCliOptions& options() const { return options_; }
  // The same client with other options (e.g. a short timeout where no answer is expected).
  SnmpCli with_options(SnmpCliOptions options) const;

 private:
  std::string target_;
  SnmpCredentials credentials_;
  SnmpCliOptions options_;
  std::shared_ptr<TempDir> own_persistent_dir_;  // when options_.persistent_dir was empty
};

}  // namespace netpower::testing
