#include "collectors/ups.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace netpower::collectors {

void UpsVars::set_number(const std::string& name, double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  vars_[name] = buf;
}

std::optional<std::string> UpsVars::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> UpsVars::number(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  const std::string& text = it->second;
  if (text.empty()) return std::nullopt;
  // Plain decimal only: optional sign, digits, optional fraction (no hex, no exponent, no spaces).
  std::size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      digits = true;
    } else if (text[i] == '.' && !point) {
      point = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  double value = 0;
  const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool UpsVars::has_status(const std::string& flag) const {
  auto status = get(ups_var::kStatus);
  if (!status) return false;
  std::istringstream words(*status);
  std::string word;
  while (words >> word) {
    if (word == flag) return true;
  }
  return false;
}

const char* to_string(UpsLink link) {
  switch (link) {
    case UpsLink::kOnline:
      return "online";
    case UpsLink::kStale:
      return "stale";
    case UpsLink::kLost:
      return "lost";
  }
  return "unknown";
}

const char* to_string(UpsCommandStatus status) {
  switch (status) {
    case UpsCommandStatus::kSuccess:
      return "success";
    case UpsCommandStatus::kFailed:
      return "failed";
    case UpsCommandStatus::kUnsupported:
      return "unsupported";
    case UpsCommandStatus::kInvalid:
      return "invalid";
    case UpsCommandStatus::kNoResponse:
      return "no-response";
  }
  return "unknown";
}

}  // namespace netpower::collectors
