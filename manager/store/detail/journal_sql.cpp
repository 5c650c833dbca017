#include "manager/store/detail/journal_sql.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <map>

#include "manager/store/detail/journal_codec.h"
#include "manager/store/history.h"

namespace netpower::manager::store::detail {

namespace {

// Bindings are one per outlet of the fleet: read whole, with a bound against surprises.
constexpr std::size_t kMaxBindings = 1'000'000;

std::int64_t us(model::WallTime t) { return t.time_since_epoch().count(); }

// Numbers are stored as signed 64-bit; ids above 2^63 keep their bits.
std::int64_t signed_of(std::uint64_t v) { return static_cast<std::int64_t>(v); }

class Params {
 public:
  explicit Params(Dialect dialect) : pg_(dialect == Dialect::kPostgresql) {}
  std::string add(DbValue value) {
    values_.push_back(std::move(value));
    return (pg_ ? "$" : "?") + std::to_string(values_.size());
  }
  // A time: PostgreSQL's timestamptz from microseconds (seconds and the rest apart, each exact
  // in the interval arithmetic's double), SQLite's integer microseconds.
  std::string time(std::optional<model::WallTime> t) {
    auto p = add(t ? DbValue{us(*t)} : DbValue{});
    if (!pg_) return p;
    return "(timestamptz 'epoch' + (" + p + "::bigint / 1000000) * interval '1 second' + (" + p +
           "::bigint % 1000000) * interval '1 microsecond')";
  }
  std::vector<DbValue> take() { return std::move(values_); }

 private:
  bool pg_;
  std::vector<DbValue> values_;
};

std::string join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ", ";
    out += part;
  }
  return out;
}

std::string us_column(Dialect dialect, const std::string& column) {
  return dialect == Dialect::kPostgresql ? "(extract(epoch FROM " + column + ") * 1000000)::bigint"
                                         : column;
}

std::string action_columns(Dialect d) {
  const bool pg = d == Dialect::kPostgresql;
  return std::string("id, request_id, kind, source, principal, reason, target, host, ") +
         (pg ? "dry_run::int, force::int, " : "dry_run, force, ") + us_column(d, "requested") +
         ", " + us_column(d, "finished") + ", result, failure, failure_text, " +
         (pg ? "steps::text" : "steps");
}

std::int64_t to_int(const std::optional<std::string>& text) {
  if (!text) throw QueryError("the database returned NULL where a number was expected");
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) {
    throw QueryError("the database returned '" + text->substr(0, 40) +
                     "' where an integer was expected");
  }
  return v;
}

std::string to_text(const std::optional<std::string>& text) { return text.value_or(""); }

model::WallTime to_time(const std::optional<std::string>& text) {
  return model::WallTime{std::chrono::microseconds(to_int(text))};
}

template <typename T>
T parse_enum(std::optional<T> value, const char* what, const std::optional<std::string>& text) {
  if (!value) {
    throw QueryError(std::string("unknown action ") + what + " '" + to_text(text).substr(0, 40) +
                     "' in the database");
  }
  return *value;
}

}  // namespace

std::vector<Statement> record_statements(Dialect dialect, const model::ActionRecord& r,
                                         model::WallTime now) {
  const bool pg = dialect == Dialect::kPostgresql;
  Params p(dialect);
  // A braced list is evaluated in order: the parameters are numbered as they appear.
  const std::string values = join(
      {p.add(signed_of(r.id)), p.add(signed_of(r.request_id)),
       p.add(std::string(to_string(r.kind))), p.add(std::string(to_string(r.source))),
       p.add(r.principal), p.add(r.reason), p.add(r.target), p.add(r.host),
       p.add(std::int64_t{r.dry_run ? 1 : 0}), p.add(std::int64_t{r.force ? 1 : 0}),
       p.time(r.requested), p.time(r.finished), p.add(std::string(to_string(r.result))),
       p.add(r.failure), p.add(r.failure_text),
       pg ? "CAST(" + p.add(steps_to_json(r.steps)) + " AS jsonb)" : p.add(steps_to_json(r.steps)),
       p.time(now)});
  std::vector<Statement> out;
  out.push_back(
      {"INSERT INTO actions (id, request_id, kind, source, principal, reason, target, host, "
       "dry_run, force, requested, finished, result, failure, failure_text, steps, updated_at) "
       "VALUES (" +
           values +
           ") ON CONFLICT (id) DO UPDATE SET request_id = excluded.request_id, kind = "
           "excluded.kind, source = excluded.source, principal = excluded.principal, reason = "
           "excluded.reason, target = excluded.target, host = excluded.host, dry_run = "
           "excluded.dry_run, force = excluded.force, requested = excluded.requested, finished = "
           "excluded.finished, result = excluded.result, failure = excluded.failure, "
           "failure_text = excluded.failure_text, steps = excluded.steps, updated_at = "
           "excluded.updated_at",
       p.take()});
  Params d(dialect);
  out.push_back(
      {"DELETE FROM action_outlets WHERE action_id = " + d.add(signed_of(r.id)), d.take()});
  if (!r.outlets.empty()) {
    Params o(dialect);
    std::string rows;
    for (std::size_t i = 0; i < r.outlets.size(); ++i) {
      if (i > 0) rows += ", ";
      rows += "(" +
              join({o.add(signed_of(r.id)), o.add(static_cast<std::int64_t>(i)),
                    o.add(r.outlets[i].agent), o.add(r.outlets[i].port)}) +
              ")";
    }
    out.push_back(
        {"INSERT INTO action_outlets (action_id, seq, agent, port) VALUES " + rows, o.take()});
  }
  return out;
}

std::vector<Statement> binding_statements(Dialect dialect, const model::Binding& b,
                                          model::WallTime now) {
  Params p(dialect);
  const std::string values =
      join({p.add(b.outlet.agent), p.add(b.outlet.port), p.add(b.host_id), p.add(b.host_name),
            p.add(b.hostname), p.add(b.boot_id), p.time(b.learned),
            p.add(static_cast<std::int64_t>(b.confirmations)), p.add(signed_of(b.action_id)),
            p.time(now)});
  return {
      {"INSERT INTO bindings (agent, port, host_id, host_name, hostname, boot_id, learned, "
       "confirmations, action_id, updated_at) VALUES (" +
           values +
           ") ON CONFLICT (agent, port) DO UPDATE SET host_id = excluded.host_id, host_name = "
           "excluded.host_name, hostname = excluded.hostname, boot_id = excluded.boot_id, "
           "learned = excluded.learned, confirmations = excluded.confirmations, action_id = "
           "excluded.action_id, updated_at = excluded.updated_at",
       p.take()}};
}

std::string last_action_id_sql() { return "SELECT max(id) FROM actions"; }

ReadQuery actions_query(Dialect dialect, const model::ActionQuery& q) {
  if (q.limit == 0) throw QueryError("limit must be at least 1", true);
  if (q.since && q.until && *q.since >= *q.until) {
    throw QueryError("since must be before until", true);
  }
  if (q.agent.empty() && !q.port.empty()) throw QueryError("a port needs its agent", true);
  const bool pg = dialect == Dialect::kPostgresql;
  ReadQuery out;
  auto param = [&](SqlParam value) {
    out.params.push_back(std::move(value));
    return (pg ? "$" : "?") + std::to_string(out.params.size());
  };
  auto time_param = [&](model::WallTime t) {
    const auto p = param(us(t));
    return pg ? "(timestamptz 'epoch' + (" + p + "::bigint / 1000000) * interval '1 second' + (" +
                    p + "::bigint % 1000000) * interval '1 microsecond')"
              : p;
  };
  std::string where;
  auto add = [&](const std::string& condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  if (q.request_id) add("request_id = " + param(signed_of(*q.request_id)));
  if (!q.agent.empty()) {
    std::string outlet = "agent = " + param(q.agent);
    if (!q.port.empty()) outlet += " AND port = " + param(q.port);
    add("id IN (SELECT action_id FROM action_outlets WHERE " + outlet + ")");
  }
  if (!q.host.empty()) add("host = " + param(q.host));
  if (q.result) add("result = " + param(std::string(to_string(*q.result))));
  if (q.since) add("requested >= " + time_param(*q.since));
  if (q.until) add("requested < " + time_param(*q.until));
  // Ids above 2^63 are stored negative (their bits kept); a before_id there pages over all.
  if (q.before_id > 0 &&
      q.before_id <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    add("id < " + param(signed_of(q.before_id)));
  }
  const auto limit = std::min(q.limit, kMaxQueryRows);
  out.sql = "SELECT " + action_columns(dialect) + " FROM actions" + where +
            " ORDER BY id DESC LIMIT " + std::to_string(limit);
  return out;
}

ReadQuery action_query(Dialect dialect, std::uint64_t id) {
  const std::string p = dialect == Dialect::kPostgresql ? "$1" : "?1";
  return {"SELECT " + action_columns(dialect) + " FROM actions WHERE id = " + p, {signed_of(id)}};
}

std::string outlets_query(const std::vector<std::uint64_t>& ids) {
  std::string list;
  for (auto id : ids) {
    if (!list.empty()) list += ",";
    list += std::to_string(signed_of(id));
  }
  return "SELECT action_id, agent, port FROM action_outlets WHERE action_id IN (" + list +
         ") ORDER BY action_id, seq";
}

ReadQuery bindings_query(Dialect dialect) {
  return {"SELECT agent, port, host_id, host_name, hostname, boot_id, " +
              us_column(dialect, "learned") + ", confirmations, action_id FROM bindings ORDER BY " +
              (dialect == Dialect::kPostgresql ? "agent COLLATE \"C\", port COLLATE \"C\""
                                               : "agent, port") +
              " LIMIT " + std::to_string(kMaxBindings),
          {}};
}

model::ActionRecord action_from_row(const SqlRow& row) {
  if (row.size() != 16) throw QueryError("an action row with the wrong number of columns");
  model::ActionRecord r;
  r.id = static_cast<std::uint64_t>(to_int(row[0]));
  r.request_id = static_cast<std::uint64_t>(to_int(row[1]));
  r.kind = parse_enum(model::action_kind_from_string(to_text(row[2])), "kind", row[2]);
  r.source = parse_enum(model::action_source_from_string(to_text(row[3])), "source", row[3]);
  r.principal = to_text(row[4]);
  r.reason = to_text(row[5]);
  r.target = to_text(row[6]);
  r.host = to_text(row[7]);
  r.dry_run = to_int(row[8]) != 0;
  r.force = to_int(row[9]) != 0;
  r.requested = to_time(row[10]);
  if (row[11]) r.finished = to_time(row[11]);
  r.result = parse_enum(model::action_result_from_string(to_text(row[12])), "result", row[12]);
  r.failure = to_text(row[13]);
  r.failure_text = to_text(row[14]);
  auto steps = steps_from_json(to_text(row[15]));
  if (!steps) throw QueryError("the steps of action " + std::to_string(r.id) + " are malformed");
  r.steps = std::move(*steps);
  return r;
}

void add_outlets(std::vector<model::ActionRecord>& records, const std::vector<SqlRow>& rows) {
  std::map<std::uint64_t, model::ActionRecord*> by_id;
  for (auto& r : records) by_id[r.id] = &r;
  for (const auto& row : rows) {
    if (row.size() != 3) throw QueryError("an outlet row with the wrong number of columns");
    auto it = by_id.find(static_cast<std::uint64_t>(to_int(row[0])));
    if (it == by_id.end()) continue;
    it->second->outlets.push_back({to_text(row[1]), to_text(row[2])});
  }
}

model::Binding binding_from_row(const SqlRow& row) {
  if (row.size() != 9) throw QueryError("a binding row with the wrong number of columns");
  model::Binding b;
  b.outlet = {to_text(row[0]), to_text(row[1])};
  b.host_id = to_text(row[2]);
  b.host_name = to_text(row[3]);
  b.hostname = to_text(row[4]);
  b.boot_id = to_text(row[5]);
  b.learned = to_time(row[6]);
  const auto confirmations = to_int(row[7]);
  if (confirmations < 0 || confirmations > std::numeric_limits<std::uint32_t>::max()) {
    throw QueryError("a binding's confirmations out of range");
  }
  b.confirmations = static_cast<std::uint32_t>(confirmations);
  b.action_id = static_cast<std::uint64_t>(to_int(row[8]));
  return b;
}

}  // namespace netpower::manager::store::detail
