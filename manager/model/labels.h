#pragma once
// The one rule for configured agent labels (manager.yaml `labels`), enforced when the
// configuration is read and relied on by the exporter: a Prometheus label name
// ([a-zA-Z_][a-zA-Z0-9_]*, at most 64 characters, no leading "__") that is none of the labels
// netpower sets itself on its series, nor Prometheus' own target labels.

#include <array>
#include <string_view>

namespace netpower::manager::model {

inline constexpr std::array<std::string_view, 18> kReservedLabelNames = {
    "agent",        "board",  "port",     "name",    "group",     "state",
    "status",       "source", "alarm",    "address", "snmp_port", "location",
    "code_version", "job",    "instance", "program", "version",   "reason"};

inline bool is_reserved_label(std::string_view name) {
  for (auto reserved : kReservedLabelNames) {
    if (name == reserved) return true;
  }
  return false;
}

inline bool valid_label_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.starts_with("__")) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace netpower::manager::model
