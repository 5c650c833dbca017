#include "manager/config/secret_reader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace netpower::manager::config {

std::optional<SecretAt> read_secret(const core::YamlReader& r, const YAML::Node& map,
                                    const std::string& key) {
  const std::string file_key = key + "_file";
  const std::string env_key = key + "_env";
  std::vector<std::string> given;
  for (const auto& k : {key, file_key, env_key}) {
    auto node = map[k];
    if (node && !node.IsNull()) given.push_back(k);
  }
  if (given.empty()) return std::nullopt;
  if (given.size() > 1) {
    r.fail(map[given[1]],
           "'" + given[0] + "' and '" + given[1] + "' both set the same secret; keep one");
  }
  const auto& which = given[0];
  auto node = map[which];
  std::string value;
  std::string source;
  if (which == key) {
    value = r.string(map, key.c_str(), "");
    source = "inline";
  } else if (which == file_key) {
    std::filesystem::path path = r.string(map, file_key.c_str(), "");
    if (path.empty()) r.fail(node, "'" + file_key + "' is empty");
    if (path.is_relative()) path = std::filesystem::path(r.file()).parent_path() / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) r.fail(node, "cannot read " + file_key + " '" + path.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    value = text.str();
    if (value.size() > kMaxSecretBytes) {
      r.fail(node, file_key + " '" + path.string() + "' is larger than " +
                       std::to_string(kMaxSecretBytes) + " bytes");
    }
    // One trailing line end is what editors and `echo` add; it is not part of the secret.
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (value.find_first_of("\r\n") != std::string::npos) {
      r.fail(node, file_key + " '" + path.string() + "' has more than one line");
    }
    source = "file " + path.string();
  } else {
    auto name = r.string(map, env_key.c_str(), "");
    const char* env = name.empty() ? nullptr : std::getenv(name.c_str());
    if (env == nullptr) r.fail(node, "environment variable '" + name + "' is not set");
    value = env;
    source = "env " + name;
  }
  if (value.empty()) r.fail(node, "the secret of '" + which + "' is empty");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f)
      r.fail(node, "the secret of '" + which + "' contains a control character");
  }
  return SecretAt{Secret(std::move(value), std::move(source)), node};
}

}  // namespace netpower::manager::config
