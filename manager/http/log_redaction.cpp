#include "manager/http/log_redaction.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace netpower::manager::http {

namespace {

constexpr std::string_view kRedacted = "<redacted>";

// Parameter names that carry credentials (lower case, as substrings of the name).
constexpr std::array<std::string_view, 7> kSecretNames = {"token", "key",    "secret", "pass",
                                                          "auth",  "bearer", "sig"};

std::string percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool holds_secret(std::string_view text, const std::vector<std::string>& secrets) {
  if (text.empty()) return false;
  const auto decoded = percent_decoded(text);
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    if (text.find(s) != std::string_view::npos || decoded.find(s) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool secret_name(std::string_view name) {
  std::string lower = percent_decoded(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kSecretNames.begin(), kSecretNames.end(),
                     [&](std::string_view s) { return lower.find(s) != std::string::npos; });
}

}  // namespace

std::string loggable_target(std::string_view target, const std::vector<std::string>& secrets) {
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  std::string out = holds_secret(path, secrets) ? std::string(kRedacted) : std::string(path);
  if (question == std::string_view::npos) return out;
  out.push_back('?');
  auto query = target.substr(question + 1);
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    const auto eq = param.find('=');
    const auto name = param.substr(0, eq);
    if (holds_secret(name, secrets)) {
      out.append(kRedacted);
    } else if (eq == std::string_view::npos) {
      out.append(name);
    } else {
      const auto value = param.substr(eq + 1);
      out.append(name);
      out.push_back('=');
      if (secret_name(name) || holds_secret(value, secrets)) {
        out.append(kRedacted);
      } else {
        out.append(value);
      }
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

}  // namespace netpower::manager::http
