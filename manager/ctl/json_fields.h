#pragma once
// Reading the API's documents in netpowerctl's renderers: a member that is missing or of another
// type throws std::runtime_error naming it (the caller reports "unexpected answer").

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace netpower::ctl::fields {

inline const nlohmann::json& member(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) {
    throw std::runtime_error(std::string("not an object where '") + key + "' was expected");
  }
  const auto it = value.find(key);
  if (it == value.end()) throw std::runtime_error(std::string("no '") + key + "'");
  return *it;
}

inline std::string text(const nlohmann::json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_string()) throw std::runtime_error(std::string("'") + key + "' is not a string");
  return v.get<std::string>();
}

// A string or null ("" for null).
inline std::string text_or_null(const nlohmann::json& value, const char* key) {
  const auto& v = member(value, key);
  if (v.is_null()) return "";
  if (!v.is_string()) throw std::runtime_error(std::string("'") + key + "' is not a string");
  return v.get<std::string>();
}

inline std::uint64_t whole(const nlohmann::json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    throw std::runtime_error(std::string("'") + key + "' is not a whole number");
  }
  return v.get<std::uint64_t>();
}

inline bool flag(const nlohmann::json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_boolean()) throw std::runtime_error(std::string("'") + key + "' is not a boolean");
  return v.get<bool>();
}

inline const nlohmann::json& array(const nlohmann::json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_array()) throw std::runtime_error(std::string("'") + key + "' is not an array");
  return v;
}

// Line ends and tabs in a text would break a table or a progress line.
inline std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

inline std::string or_dash(std::string value) { return value.empty() ? "-" : value; }

}  // namespace netpower::ctl::fields
