#include "core/yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/config_error.h"
#include "core/duration.h"

namespace netpower::core {

namespace {

std::string scalar_of(const YamlReader& r, const YAML::Node& node, const char* key) {
  if (!node.IsScalar()) r.fail(node, std::string("'") + key + "' must be a single value");
  return node.Scalar();
}

// A key written without a value ("load_high:") reads as null; it is a mistake, not a default.
// A null value's mark is the next token's, so the error points at the key itself.
bool absent(const YamlReader& r, const YAML::Node& map, const YAML::Node& node, const char* key) {
  if (!node) return true;
  if (!node.IsNull()) return false;
  auto problem =
      std::string("'") + key + "' has no value (give one, or remove the key to keep the default)";
  for (const auto& item : map) {
    if (item.first.IsScalar() && item.first.Scalar() == key) r.fail(item.first, problem);
  }
  r.fail(node, problem);
}

// yaml-cpp keeps every entry of a mapping, so a key written twice would silently lose one of its
// values (lookups find the first). Refuse it, naming both places.
void check_duplicate_keys(const std::string& file, const YAML::Node& node, int depth) {
  if (depth > 64) return;
  if (node.IsSequence()) {
    for (const auto& item : node) check_duplicate_keys(file, item, depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  std::vector<YAML::Node> keys;
  for (const auto& item : node) {
    const auto& key = item.first;
    if (key.IsScalar()) {
      for (const auto& earlier : keys) {
        if (earlier.Scalar() != key.Scalar()) continue;
        auto mark = key.Mark();
        throw ConfigError(file, mark.line + 1, mark.column + 1,
                          "duplicate key '" + key.Scalar() + "' (first at line " +
                              std::to_string(earlier.Mark().line + 1) + ")");
      }
      keys.push_back(key);
    }
    check_duplicate_keys(file, item.second, depth + 1);
  }
}

}  // namespace

YAML::Node YamlReader::load() const {
  std::ifstream in(file_);
  if (!in) throw ConfigError(file_, 0, 0, "cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  return load_string(text.str());
}

YAML::Node YamlReader::load_string(const std::string& text) const {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file_, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  check_duplicate_keys(file_, root, 0);
  return root;
}

void YamlReader::fail(const YAML::Node& at, const std::string& problem) const {
  auto mark = at.Mark();
  if (mark.is_null()) throw ConfigError(file_, 0, 0, problem);
  throw ConfigError(file_, mark.line + 1, mark.column + 1, problem);
}

void YamlReader::expect_map(const YAML::Node& node, std::string_view what,
                            std::initializer_list<std::string_view> allowed) const {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) fail(node, std::string(what) + " must be a mapping of key: value");
  for (const auto& item : node) {
    auto key = item.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (auto k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
      fail(item.first,
           "unknown key '" + key + "' in " + std::string(what) + " (known: " + known + ")");
    }
  }
}

std::string YamlReader::string(const YAML::Node& map, const char* key, const std::string& fallback,
                               std::size_t max_length) const {
  auto node = map[key];
  if (absent(*this, map, node, key)) return fallback;
  auto value = scalar_of(*this, node, key);
  if (value.size() > max_length) {
    fail(node, std::string("'") + key + "' is " + std::to_string(value.size()) +
                   " characters long; at most " + std::to_string(max_length) + " are allowed");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f)
      fail(node, std::string("'") + key + "' contains a control character");
  }
  return value;
}

Duration YamlReader::duration(const YAML::Node& map, const char* key, Duration fallback) const {
  auto node = map[key];
  if (absent(*this, map, node, key)) return fallback;
  auto text = scalar_of(*this, node, key);
  auto parsed = parse_duration(text);
  if (!parsed) {
    fail(node, std::string("'") + key + "' is not a duration: '" + text +
                   "' (write e.g. 15s, 500ms, 2m, 1h30m)");
  }
  return *parsed;
}

double YamlReader::number(const YAML::Node& map, const char* key, double fallback, double min,
                          double max) const {
  auto node = map[key];
  if (absent(*this, map, node, key)) return fallback;
  auto text = scalar_of(*this, node, key);
  double value = 0;
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    fail(node, std::string("'") + key + "' is not a number: '" + text + "'");
  }
  if (!(value >= min && value <= max)) {  // also rejects nan
    std::ostringstream range;
    range << "'" << key << "' = " << text << " is out of range " << min << ".." << max;
    fail(node, range.str());
  }
  return value;
}

long YamlReader::integer(const YAML::Node& map, const char* key, long fallback, long min,
                         long max) const {
  auto node = map[key];
  if (absent(*this, map, node, key)) return fallback;
  auto text = scalar_of(*this, node, key);
  long value = 0;
  try {
    std::size_t used = 0;
    value = std::stol(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    fail(node, std::string("'") + key + "' is not a whole number: '" + text + "'");
  }
  if (value < min || value > max) {
    fail(node, std::string("'") + key + "' = " + text + " is out of range " + std::to_string(min) +
                   ".." + std::to_string(max));
  }
  return value;
}

bool YamlReader::boolean(const YAML::Node& map, const char* key, bool fallback) const {
  auto node = map[key];
  if (absent(*this, map, node, key)) return fallback;
  auto text = scalar_of(*this, node, key);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(node, std::string("'") + key + "' must be true or false, not '" + text + "'");
}

}  // namespace netpower::core
