#pragma once
// A request target as the server may log it: the values of query parameters that look like
// credentials (token, access_token, api_key, password, ...) and anything equal to a principal's
// token are replaced by "<redacted>". Clients must send the token in Authorization, but some send
// it in the URL; the log must never carry it.

#include <string>
#include <string_view>
#include <vector>

namespace netpower::manager::http {

// `secrets`: the principals' tokens (empty ones are ignored).
std::string loggable_target(std::string_view target, const std::vector<std::string>& secrets);

}  // namespace netpower::manager::http
