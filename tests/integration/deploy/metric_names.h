#pragma once
// Metric names in PromQL expressions, for checking the shipped dashboard and alert rules against a
// live scrape. Not a PromQL parser: it finds the identifiers that name netpower's families.

#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace netpower::testing {

// The names starting with `netpower_` or `process_` in `expr`, each followed by `{`, `[`, `)`,
// `,`, whitespace or the end. Quoted strings (label values, `label_replace` arguments) and
// `# comments` are skipped first, so a label value "netpower_x" is no name; a label *name* never
// starts with those prefixes.
std::set<std::string> metric_names(const std::string& expr);

// Every PromQL expression of a Grafana dashboard: each panel's (and each row's panels')
// `targets[].expr`, and the queries of the templating variables.
std::set<std::string> dashboard_expressions(const nlohmann::json& dashboard);

// Every `expr` of a Prometheus rule file (groups[].rules[].expr).
std::set<std::string> rule_expressions(const std::string& rule_file);

}  // namespace netpower::testing
