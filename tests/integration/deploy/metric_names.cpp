#include "tests/integration/deploy/metric_names.h"

#include <yaml-cpp/yaml.h>

#include <regex>

namespace netpower::testing {

namespace {

std::string without_strings_and_comments(const std::string& expr) {
  std::string out;
  out.reserve(expr.size());
  for (std::size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      // Skip to the closing quote; backslash escapes apply except in backquoted raw strings.
      for (++i; i < expr.size() && expr[i] != c; ++i) {
        if (c != '`' && expr[i] == '\\') ++i;
      }
      out += " \"\" ";
    } else if (c == '#') {
      while (i < expr.size() && expr[i] != '\n') ++i;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

void panel_expressions(const nlohmann::json& panel, std::set<std::string>& out) {
  for (const auto& target : panel.value("targets", nlohmann::json::array())) {
    if (target.contains("expr") && target["expr"].is_string()) out.insert(target["expr"]);
  }
  for (const auto& inner : panel.value("panels", nlohmann::json::array())) {
    panel_expressions(inner, out);
  }
}

}  // namespace

std::set<std::string> metric_names(const std::string& expr) {
  static const std::regex name(
      R"((^|[^A-Za-z0-9_:])((?:netpower|process)_[A-Za-z0-9_:]*)(?=[\s{\[),]|$))");
  std::set<std::string> names;
  const std::string text = without_strings_and_comments(expr);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    names.insert((*it)[2].str());
  }
  return names;
}

std::set<std::string> dashboard_expressions(const nlohmann::json& dashboard) {
  std::set<std::string> out;
  for (const auto& panel : dashboard.value("panels", nlohmann::json::array())) {
    panel_expressions(panel, out);
  }
  const auto templating = dashboard.value("templating", nlohmann::json::object());
  for (const auto& var : templating.value("list", nlohmann::json::array())) {
    if (var.value("type", "") != "query") continue;
    const auto& q = var["query"];
    if (q.is_string()) out.insert(q.get<std::string>());
    if (q.is_object() && q.contains("query")) out.insert(q["query"].get<std::string>());
  }
  return out;
}

std::set<std::string> rule_expressions(const std::string& rule_file) {
  std::set<std::string> out;
  auto root = YAML::LoadFile(rule_file);
  for (const auto& group : root["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["expr"]) out.insert(rule["expr"].as<std::string>());
    }
  }
  return out;
}

}  // namespace netpower::testing
