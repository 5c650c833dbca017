#include "manager/config/secret.h"

#include <cstring>

namespace netpower::manager::config {

namespace {
// Overwrites the bytes before the string releases them, so that freed heap does not keep keys.
void wipe(std::string& s) {
  if (!s.empty()) {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  }
  s.clear();
}
}  // namespace

Secret::Secret(std::string value, std::string source)
    : value_(std::move(value)), source_(std::move(source)) {}

Secret::~Secret() { wipe(value_); }

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe(value_);
    value_ = other.value_;
    source_ = other.source_;
  }
  return *this;
}

Secret::Secret(Secret&& other) noexcept
    : value_(std::move(other.value_)), source_(std::move(other.source_)) {
  wipe(other.value_);
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe(value_);
    value_ = std::move(other.value_);
    source_ = std::move(other.source_);
    wipe(other.value_);
  }
  return *this;
}

std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "***"; }

}  // namespace netpower::manager::config
