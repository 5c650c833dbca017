#include "manager/http/router.h"

#include <algorithm>
#include <stdexcept>

#include "manager/http/detail/params.h"

namespace netpower::manager::http {

namespace beast_http = boost::beast::http;

namespace {

// "/a/b/" -> {"a", "b", ""}: a trailing slash is an empty last segment, so it matches nothing.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') {
    return out;
  }
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/') {
    throw std::invalid_argument("route pattern '" + route.pattern + "' must start with '/'");
  }
  std::vector<Segment> segments;
  for (const auto part : split_path(route.pattern)) {
    if (part.empty() && route.pattern != "/") {
      throw std::invalid_argument("route pattern '" + route.pattern + "' has an empty segment");
    }
    Segment segment;
    if (!part.empty() && part.front() == '{') {
      if (part.size() < 3 || part.back() != '}') {
        throw std::invalid_argument("route pattern '" + route.pattern +
                                    "': a parameter is a whole segment '{name}'");
      }
      segment.text = std::string(part.substr(1, part.size() - 2));
      segment.param = true;
      for (const auto& other : segments) {
        if (other.param && other.text == segment.text) {
          throw std::invalid_argument("route pattern '" + route.pattern + "' names {" +
                                      segment.text + "} twice");
        }
      }
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("route pattern '" + route.pattern +
                                    "': a parameter is a whole segment '{name}'");
      }
      segment.text = std::string(part);
    }
    segments.push_back(std::move(segment));
  }
  for (const auto& existing : routes_) {
    if (existing.method == route.method && existing.pattern == route.pattern) {
      throw std::invalid_argument("route " + std::string(beast_http::to_string(route.method)) +
                                  " " + route.pattern + " is in the table twice");
    }
  }
  if (!route.handler) {
    throw std::invalid_argument("route " + route.pattern + " has no handler");
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(segments));
}

Router::Match Router::match(beast_http::verb method, std::string_view path) const {
  Match out;
  const auto parts = split_path(path);
  const auto wanted = method == beast_http::verb::head ? beast_http::verb::get : method;
  bool have_explicit_head = false;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& segments = compiled_[i];
    if (segments.size() != parts.size()) {
      continue;
    }
    PathParams params;
    bool ok = true;
    for (std::size_t s = 0; s < segments.size() && ok; ++s) {
      if (segments[s].param) {
        if (parts[s].empty()) {
          ok = false;
          break;
        }
        auto decoded = detail::percent_decode(parts[s], /*plus_is_space=*/false);
        if (!decoded) {
          out.bad_encoding = true;
          ok = false;
          break;
        }
        params.emplace(segments[s].text, std::move(*decoded));
      } else if (segments[s].text != parts[s]) {
        ok = false;
      }
    }
    if (!ok) {
      continue;
    }
    const auto route_method = routes_[i].method;
    if (std::find(out.allowed.begin(), out.allowed.end(), route_method) == out.allowed.end()) {
      out.allowed.push_back(route_method);
    }
    if (route_method == method && method == beast_http::verb::head) {
      have_explicit_head = true;
      out.route = &routes_[i];
      out.index = i;
      out.params = std::move(params);
    } else if (route_method == wanted && !have_explicit_head && out.route == nullptr) {
      out.route = &routes_[i];
      out.index = i;
      out.params = std::move(params);
    }
  }
  if (!out.allowed.empty()) {
    out.bad_encoding = false;  // another route matched the path itself
  }
  return out;
}

std::string allow_header(const std::vector<beast_http::verb>& methods) {
  std::string out;
  for (const auto method : methods) {
    if (!out.empty()) {
      out += ", ";
    }
    out += std::string(beast_http::to_string(method));
  }
  return out;
}

}  // namespace netpower::manager::http
