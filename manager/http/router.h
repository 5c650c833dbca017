#pragma once
// The API's route table (Envoy's admin handlers): each route is a method, a path pattern with
// `{params}`, a handler, whether it changes state, the least role it needs and the largest body it
// takes. The dispatcher (detail/api.cpp) authenticates, checks roles, content types and body sizes
// once for every route, from this table; handlers only answer. No I/O here.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/model/principal.h"

namespace netpower::manager::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using PathParams = std::map<std::string, std::string, std::less<>>;

// What a handler is given. References live for the call only.
struct RouteRequest {
  const Request& request;
  const PathParams& params;           // {agent} -> "rack12-pdu", percent-decoded
  std::string_view query;             // the raw query text after '?', "" without one
  const model::Principal& principal;  // who asks ("anonymous" on open routes)
  const nlohmann::json* body;         // the parsed JSON body when the route takes one, else null
};

// Returns a complete response (status, headers, body); may throw (the dispatcher answers 500).
using Handler = std::function<Response(const RouteRequest&)>;

struct Route {
  boost::beast::http::verb method = boost::beast::http::verb::get;  // a GET route serves HEAD too
  std::string pattern;  // "/api/v1/agents/{agent}": literal segments and whole-segment {params}
  Handler handler;
  bool mutates_state = false;  // audit hooks here; refused when no principal is configured
  // The least role; nullopt: open (no authentication), e.g. /healthz.
  std::optional<model::Role> min_role = model::Role::kViewer;
  // 0: no body (a body is 413). Otherwise a JSON body of at most this many bytes is required
  // (Content-Type application/json, else 415; valid UTF-8 JSON, else 400).
  std::size_t max_body_bytes = 0;
  std::string help;  // one line, for the docs and the route listing
};

// What the audit trail is told of each request to a state-changing route, once it is answered
// (refused ones included; not 401s, which have no principal). Called on a server thread; must not
// block for long.
struct AuditEntry {
  model::Principal principal;
  std::string method;  // "POST"
  std::string path;    // "/api/v1/notes", without the query
  unsigned status = 0;
};
using AuditHook = std::function<void(const AuditEntry&)>;

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern ("{" unclosed, an empty segment, a
  // parameter named twice) or a second route with the same method and pattern.
  void add(Route route);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method (see allowed) or path
    std::size_t index = 0;         // the route's position in routes()
    PathParams params;
    // The methods of the routes whose pattern matches the path, in table order ("GET", "POST");
    // empty when no pattern matches (404), non-empty without route (405).
    std::vector<boost::beast::http::verb> allowed;
    bool bad_encoding = false;  // a segment with malformed percent-encoding (400)
  };
  // The route for `method` and `path` (without the query). HEAD finds the GET route.
  Match match(boost::beast::http::verb method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> compiled_;
};

// "GET, POST" for an Allow header.
std::string allow_header(const std::vector<boost::beast::http::verb>& methods);

}  // namespace netpower::manager::http
