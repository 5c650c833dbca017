#include "core/yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/config_error.h"
#include "core/duration.h"

namespace netpower::core {

namespace {
std::string scalar_of(const YamlReader& r, const YAML::Node& node, const char* key) {
  if (!node.IsScalar()) r.fail(node, std::string("'") + key + "' must be a single value");
  return node.Scalar();
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
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file_, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
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
  if (!node || node.IsNull()) return fallback;
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
  if (!node || node.IsNull()) return fallback;
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
  if (!node || node.IsNull()) return fallback;
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
  if (!node || node.IsNull()) return fallback;
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
  if (!node || node.IsNull()) return fallback;
  auto text = scalar_of(*this, node, key);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(node, std::string("'") + key + "' must be true or false, not '" + text + "'");
}

}  // namespace netpower::core
