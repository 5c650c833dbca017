#pragma once
// SNMPv3 User-based Security Model choices (RFC 3414, RFC 7860, RFC 3826). The configuration reads
// them from YAML (manager/config: read_security_level, ... and their to_string names); the USM
// (usm.h) and the client use them.

namespace netpower::manager::snmp {

enum class SecurityLevel { kNoAuthNoPriv, kAuthNoPriv, kAuthPriv };
enum class AuthProtocol { kMd5, kSha, kSha224, kSha256, kSha384, kSha512 };
enum class PrivProtocol { kDes, kAes, kAes192, kAes256 };

}  // namespace netpower::manager::snmp
