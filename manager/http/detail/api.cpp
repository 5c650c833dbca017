#include "manager/http/detail/api.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <exception>

#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace beast_http = boost::beast::http;

namespace {

constexpr const char* kServerName = "netpower-manager";

// Who asks when nobody authenticated: an open route, or an API without principals.
const model::Principal kAnonymous{"anonymous", model::Role::kViewer};

bool under_api(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

std::string_view header_value(const Request& request, beast_http::field field) {
  const auto it = request.find(field);
  return it == request.end() ? std::string_view()
                             : std::string_view(it->value().data(), it->value().size());
}

// "application/json", optionally with "; charset=utf-8" (any case, blanks allowed).
bool is_json_type(std::string_view value) {
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
  };
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  const auto semicolon = value.find(';');
  if (lower(trim(value.substr(0, semicolon))) != kJsonType) {
    return false;
  }
  if (semicolon == std::string_view::npos) {
    return true;
  }
  const std::string params = lower(trim(value.substr(semicolon + 1)));
  return params.empty() || params == "charset=utf-8" || params == "charset=\"utf-8\"";
}

Response unauthorized(bool token_given, unsigned version) {
  Response response = error_response(
      401, token_given ? "invalid bearer token" : "this API requires Authorization: Bearer <token>",
      version);
  response.set(beast_http::field::www_authenticate,
               token_given ? R"(Bearer realm="netpower-manager", error="invalid_token")"
                           : R"(Bearer realm="netpower-manager")");
  return response;
}

}  // namespace

Response make_response(unsigned status, unsigned version, const char* content_type,
                       std::string body) {
  Response response{static_cast<beast_http::status>(status), version};
  response.set(beast_http::field::server, kServerName);
  response.set(beast_http::field::content_type, content_type);
  response.set(beast_http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const nlohmann::json& document, unsigned version, unsigned status) {
  return make_response(status, version, kJsonType, dump(document));
}

Response error_response(unsigned status, std::string_view message, unsigned version) {
  return make_response(status, version, kJsonType, dump(error_json(status, message)));
}

Api::Api(ApiContext context) : context_(std::move(context)) {
  std::vector<ApiPrincipal> principals = context_.principals;
  if (context_.token) {
    principals.push_back({"token", model::Role::kAdmin, *context_.token});
  }
  auth_ = Authenticator(std::move(principals));
  add_metrics_routes(router_, context_);
  add_status_routes(router_, context_);
  add_events_routes(router_, context_);
  add_history_routes(router_, context_);
  add_notes_routes(router_, context_);
  add_actions_routes(router_, context_);
  add_discovery_routes(router_, context_);
  route_counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(router_.routes().size());
}

std::vector<std::uint64_t> Api::route_requests() const {
  std::vector<std::uint64_t> out(router_.routes().size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = route_counts_[i].load(std::memory_order_relaxed);
  }
  return out;
}

namespace {

// A response to HEAD has the GET's headers, Content-Length included, without its body
// (RFC 9110 9.3.2).
Response for_method(const Request& request, Response response) {
  if (request.method() == beast_http::verb::head) {
    response.body().clear();
  }
  return response;
}

struct Target {
  std::string_view path;
  std::string_view query;
};

Target split_target(const Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  return {target.substr(0, question),
          question == std::string_view::npos ? std::string_view() : target.substr(question + 1)};
}

}  // namespace

Response Api::handle(const Request& request) {
  Response response;
  try {
    response = dispatch(request);
  } catch (const std::exception& e) {
    response = error_response(500, std::string("internal error: ") + e.what(), request.version());
  }
  return for_method(request, std::move(response));
}

std::variant<model::Principal, Response> Api::authenticate(const Request& request,
                                                           const Router::Match& match,
                                                           std::string_view path) const {
  // Under /api/ a client learns nothing, not even which paths exist, before it authenticates.
  const bool needed =
      auth_.enabled() && (match.route ? match.route->min_role.has_value() : under_api(path));
  if (!needed) {
    return kAnonymous;
  }
  const auto given = bearer_token(header_value(request, beast_http::field::authorization));
  if (!given) {
    return unauthorized(false, request.version());
  }
  auto found = auth_.authenticate(*given);
  if (!found) {
    return unauthorized(true, request.version());
  }
  return std::move(*found);
}

void Api::audit(const Route& route, const model::Principal& principal, const Request& request,
                std::string_view path, const Response& response) const {
  if (route.mutates_state && context_.audit) {
    context_.audit(AuditEntry{principal, std::string(request.method_string()), std::string(path),
                              response.result_int()});
  }
}

Api::Admission Api::admit(const Request& header, std::optional<std::uint64_t> content_length,
                          bool chunked, std::size_t server_limit) {
  const auto [path, query] = split_target(header);
  const auto match = router_.match(header.method(), path);
  auto who = authenticate(header, match, path);
  if (auto* refusal = std::get_if<Response>(&who)) {
    return {for_method(header, std::move(*refusal)), 0};
  }
  if (match.route == nullptr) {
    return {std::nullopt, server_limit};  // 400, 404 or 405 once the request is read
  }
  const Route& route = *match.route;
  const std::size_t limit = std::min(route.max_body_bytes, server_limit);
  if (content_length.value_or(0) <= limit && !(chunked && limit == 0)) {
    return {std::nullopt, limit};
  }
  route_counts_[match.index].fetch_add(1, std::memory_order_relaxed);
  Response refusal = error_response(
      413,
      route.max_body_bytes == 0
          ? std::string("this route takes no request body")
          : "the request body is larger than " + std::to_string(route.max_body_bytes) + " bytes",
      header.version());
  audit(route, std::get<model::Principal>(who), header, path, refusal);
  return {for_method(header, std::move(refusal)), 0};
}

Response Api::dispatch(const Request& request) {
  const auto [path, query] = split_target(request);
  const unsigned version = request.version();

  auto match = router_.match(request.method(), path);
  auto who = authenticate(request, match, path);
  if (auto* refusal = std::get_if<Response>(&who)) {
    return std::move(*refusal);
  }
  const model::Principal& principal = std::get<model::Principal>(who);

  if (match.bad_encoding) {
    return error_response(400, "malformed percent-encoding in the path", version);
  }
  if (match.route == nullptr) {
    if (match.allowed.empty()) {
      return error_response(404, "no such resource: " + std::string(path), version);
    }
    const std::string allow = allow_header(match.allowed);
    Response response = error_response(
        405, "method " + std::string(request.method_string()) + " not allowed; use " + allow,
        version);
    response.set(beast_http::field::allow, allow);
    return response;
  }
  const Route& route = *match.route;
  route_counts_[match.index].fetch_add(1, std::memory_order_relaxed);
  if (!route.mutates_state || !context_.audit) {
    return serve(route, match, principal, request, path, query);
  }
  // Every answer to a state-changing request is audited, refusals and failures included.
  Response response;
  try {
    response = serve(route, match, principal, request, path, query);
  } catch (const std::exception& e) {
    response = error_response(500, std::string("internal error: ") + e.what(), version);
  }
  audit(route, principal, request, path, response);
  return response;
}

Response Api::serve(const Route& route, const Router::Match& match,
                    const model::Principal& principal, const Request& request,
                    std::string_view path, std::string_view query) {
  const unsigned version = request.version();
  if (route.mutates_state && !auth_.enabled()) {
    return error_response(403,
                          "this request changes state and needs a named principal; none is "
                          "configured (http.principals)",
                          version);
  }
  if (route.min_role && !principal.may(*route.min_role)) {
    return error_response(403,
                          "principal '" + principal.name + "' (" +
                              model::to_string(principal.role) + ") may not " +
                              std::string(request.method_string()) + " " + std::string(path) +
                              ": it needs " + model::to_string(*route.min_role) + " or above",
                          version);
  }

  const std::string& raw_body = request.body();
  nlohmann::json body;
  if (route.max_body_bytes == 0) {
    if (!raw_body.empty()) {
      return error_response(413, "this route takes no request body", version);
    }
  } else {
    if (raw_body.size() > route.max_body_bytes) {
      return error_response(
          413, "the request body is larger than " + std::to_string(route.max_body_bytes) + " bytes",
          version);
    }
    if (!is_json_type(header_value(request, beast_http::field::content_type))) {
      return error_response(415, "the request body must be Content-Type: application/json",
                            version);
    }
    if (!valid_utf8(raw_body)) {
      return error_response(400, "the request body is not valid UTF-8", version);
    }
    try {
      body = nlohmann::json::parse(raw_body);
    } catch (const nlohmann::json::parse_error& e) {
      return error_response(
          400, "the request body is not valid JSON (at byte " + std::to_string(e.byte) + ")",
          version);
    }
  }

  const RouteRequest route_request{request, match.params, query, principal,
                                   route.max_body_bytes == 0 ? nullptr : &body};
  return route.handler(route_request);
}

Response handle_request(const Request& request, const ApiContext& context) {
  try {
    Api api(context);
    return api.handle(request);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what(), request.version());
  }
}

}  // namespace netpower::manager::http::detail
