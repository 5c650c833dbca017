// POST /api/v1/notes: an operator's annotation, published on the event hub as a `note` event
// (the state shows it among recent events, the store keeps it).

#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace {

inline constexpr std::size_t kMaxNoteBody = 4096;
inline constexpr std::size_t kMaxNoteText = 1000;

const char* json_type(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

Response post_note(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  const nlohmann::json& body = *r.body;
  if (!body.is_object()) {
    return error_response(400,
                          std::string("the body must be a JSON object {\"agent\": ..., \"text\": "
                                      "...}, not ") +
                              json_type(body),
                          version);
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "agent" && key != "text") {
      return error_response(400, "unknown field '" + key + "' (agent, text)", version);
    }
  }
  std::string fields[2];
  const char* names[2] = {"agent", "text"};
  for (int i = 0; i < 2; ++i) {
    const auto it = body.find(names[i]);
    if (it == body.end()) {
      return error_response(400, std::string("field '") + names[i] + "' is missing", version);
    }
    if (!it->is_string()) {
      return error_response(
          400, std::string("field '") + names[i] + "' must be a string, not " + json_type(*it),
          version);
    }
    fields[i] = it->get<std::string>();
  }
  const std::string& agent = fields[0];
  const std::string& text = fields[1];
  if (!agent.empty() && !context.fleet->agent(agent)) {
    return error_response(400, "field 'agent': no agent named '" + agent + "'", version);
  }
  if (text.empty() || text.size() > kMaxNoteText) {
    return error_response(
        400, "field 'text' must hold 1 to " + std::to_string(kMaxNoteText) + " bytes", version);
  }
  for (const unsigned char c : text) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      return error_response(400, "field 'text' must not hold control characters", version);
    }
  }
  if (context.events == nullptr) {
    return error_response(503, "events cannot be recorded (the manager has no event hub)", version);
  }
  model::Event event;
  event.agent = agent;
  event.time = context.now();
  event.kind = model::EventKind::kNote;
  event.varbinds_json = nlohmann::json{{"principal", r.principal.name}}.dump();
  event.text = text;
  nlohmann::json document{{"event", event_json(event)}};
  context.events->publish(std::move(event));
  return json_response(document, version, 202);
}

}  // namespace

void add_notes_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::post,
              .pattern = "/api/v1/notes",
              .handler = [&context](const RouteRequest& r) { return post_note(context, r); },
              .mutates_state = true,
              .min_role = model::Role::kOperator,
              .max_body_bytes = kMaxNoteBody,
              .help = "record a note event: {\"agent\": \"...\", \"text\": \"...\"}"});
}

}  // namespace netpower::manager::http::detail
