#pragma once
// The action journal's SQL, for both databases: the statements that write a record or a binding,
// the queries of ActionQuery, and the rows read back. No I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "manager/model/action.h"
#include "manager/model/action_journal.h"
#include "manager/store/detail/journal_db.h"
#include "manager/store/detail/sql_reader.h"

namespace netpower::manager::store::detail {

struct Statement {
  std::string sql;
  std::vector<DbValue> params;
};

// Upserts the record's row and replaces its outlets, in this order (one transaction). `now` is
// the row's updated_at. The record must be clean (clean_record()).
std::vector<Statement> record_statements(Dialect dialect, const model::ActionRecord& record,
                                         model::WallTime now);
std::vector<Statement> binding_statements(Dialect dialect, const model::Binding& binding,
                                          model::WallTime now);
// The largest id in `actions` (NULL when empty).
std::string last_action_id_sql();

struct ReadQuery {
  std::string sql;
  std::vector<SqlParam> params;
};

// Newest first (id descending), every filter set applied; since inclusive, until exclusive, both
// on `requested`. Throws QueryError(bad_request) for a limit of 0, since >= until, or a port
// without an agent. The limit is clamped to kMaxQueryRows.
ReadQuery actions_query(Dialect dialect, const model::ActionQuery& query);
ReadQuery action_query(Dialect dialect, std::uint64_t id);
// The outlets of these actions, by action and order.
std::string outlets_query(const std::vector<std::uint64_t>& ids);
// Every binding, ordered by agent and port (bytewise, as SQLite does).
ReadQuery bindings_query(Dialect dialect);

// A row of actions_query()/action_query() (outlets empty), of outlets_query() added to its
// record, of bindings_query(). Throw QueryError when the database holds what this version cannot
// read.
model::ActionRecord action_from_row(const SqlRow& row);
void add_outlets(std::vector<model::ActionRecord>& records, const std::vector<SqlRow>& rows);
model::Binding binding_from_row(const SqlRow& row);

}  // namespace netpower::manager::store::detail
