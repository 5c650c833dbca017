// GET /api/v1/events: from the store (store::StoreReader::events) with filters and cursors; without
// a store, from the state's recent events in memory (no cursor).

#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace {

constexpr const char* kKinds = "trap, up, down, threshold, action, note";

Response events(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  auto parsed = query_of(r, {"agent", "kind", "oid", "since", "until", "limit", "cursor"});
  if (auto* error = std::get_if<Response>(&parsed)) {
    return std::move(*error);
  }
  const Query& query = std::get<Query>(parsed);
  store::EventQuery q;
  q.limit = kDefaultEventsLimit;
  for (const auto& [key, value] : query) {
    if (key == "limit") {
      const auto n = parse_whole(value, 1, kMaxEventsLimit);
      if (!n) {
        return error_response(400,
                              "limit must be a whole number from 1 to " +
                                  std::to_string(kMaxEventsLimit) + ", not '" + value + "'",
                              version);
      }
      q.limit = *n;
    } else if (key == "agent") {
      if (value.empty()) {
        return error_response(400, "agent must not be empty", version);
      }
      q.agent = value;
    } else if (key == "kind") {
      q.kind = model::event_kind_from_string(value);
      if (!q.kind) {
        return error_response(
            400, "kind must be one of " + std::string(kKinds) + ", not '" + value + "'", version);
      }
    } else if (key == "oid") {
      if (value.empty() || value.find_first_not_of("0123456789.") != std::string::npos ||
          value.front() == '.') {
        return error_response(400, "oid must be numeric without a leading dot, not '" + value + "'",
                              version);
      }
      q.oid = value;
    } else if (key == "since" || key == "until") {
      const auto time = parse_time(value);
      if (!time) {
        return error_response(400, time_error(key, value), version);
      }
      (key == "since" ? q.since : q.until) = *time;
    } else if (key == "cursor") {
      q.cursor = value;
    }
  }
  if (q.since && q.until && *q.since >= *q.until) {
    return error_response(400, "since must be before until", version);
  }

  nlohmann::json list = nlohmann::json::array();
  std::string next_cursor;
  if (context.store != nullptr) {
    store::EventPage page;
    try {
      page = context.store->events(q);
    } catch (const store::QueryError& e) {
      return store_error(e, version);
    }
    for (const auto& stored : page.events) {
      auto item = event_json(stored.event);
      item["id"] = stored.id;
      list.push_back(std::move(item));
    }
    next_cursor = std::move(page.next_cursor);
  } else {
    if (!q.cursor.empty()) {
      return error_response(503, "history is not available: a cursor needs the store", version);
    }
    // The ring of recent events is small (1000 by default): filter all of it, keep `limit`.
    for (const auto& event : context.fleet->recent_events(kMaxEventsLimit, q.agent.value_or(""))) {
      if (list.size() >= q.limit) break;
      if ((q.kind && event.kind != *q.kind) || (q.oid && event.oid != *q.oid) ||
          (q.since && event.time < *q.since) || (q.until && event.time >= *q.until)) {
        continue;
      }
      list.push_back(event_json(event));
    }
  }
  return json_response(nlohmann::json{{"generated_at", rfc3339(context.now())},
                                      {"events", std::move(list)},
                                      {"next_cursor", std::move(next_cursor)}},
                       version);
}

}  // namespace

std::variant<Query, Response> query_of(const RouteRequest& request,
                                       std::initializer_list<std::string_view> allowed) {
  auto parsed = parse_query(request.query);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    return error_response(400, *error, request.request.version());
  }
  Query& query = std::get<Query>(parsed);
  for (const auto& [key, value] : query) {
    bool known = false;
    std::string names;
    for (const auto name : allowed) {
      known = known || key == name;
      names += names.empty() ? "" : ", ";
      names += name;
    }
    if (!known) {
      return error_response(400, "unknown query parameter '" + key + "' (" + names + ")",
                            request.request.version());
    }
  }
  return std::move(query);
}

Response store_error(const store::QueryError& error, unsigned version) {
  if (error.bad_request()) {
    return error_response(400, error.what(), version);
  }
  return error_response(503, std::string("the store cannot answer: ") + error.what(), version);
}

void add_events_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/events",
              .handler = [&context](const RouteRequest& r) { return events(context, r); },
              .help = "events, newest first: agent, kind, oid, since, until, limit, cursor"});
}

}  // namespace netpower::manager::http::detail
