#include "tests/integration/manager/store/store_test_db.h"

#include <gtest/gtest.h>

#include <cctype>

#include <sqlite3.h>

#include <stdexcept>

namespace netpower::manager::store::testdb {

long TestDb::count(const std::string& table) const {
  return std::stol(query("SELECT count(*) FROM " + table).at(0).at(0));
}

config::StoreSettings fast_settings(const testing::TempDir& dir) {
  config::StoreSettings s;
  s.batch_size = 100;
  s.flush_interval = std::chrono::milliseconds(50);
  s.memory_buffer_rows = 100000;
  s.spool_dir = dir.file("spool").string();
  s.reconnect_min = std::chrono::milliseconds(50);
  s.reconnect_max = std::chrono::milliseconds(400);
  s.connect_timeout = std::chrono::seconds(2);
  return s;
}

namespace {

std::vector<Sample> to_samples(const std::vector<std::vector<std::string>>& rows) {
  std::vector<Sample> out;
  for (const auto& r : rows) {
    Sample s;
    s.time = WallTime{std::chrono::microseconds(std::stoll(r.at(0)))};
    s.agent = r.at(1);
    s.kind = object_kind_from_string(r.at(2)).value();
    s.key = r.at(3);
    s.metric = r.at(4);
    s.value = std::stod(r.at(5));
    out.push_back(s);
  }
  return out;
}

std::vector<Event> to_events(const std::vector<std::vector<std::string>>& rows) {
  std::vector<Event> out;
  for (const auto& r : rows) {
    Event e;
    e.time = WallTime{std::chrono::microseconds(std::stoll(r.at(0)))};
    e.agent = r.at(1);
    e.kind = event_kind_from_string(r.at(2)).value();
    e.oid = r.at(3);
    e.varbinds_json = r.at(4);
    e.text = r.at(5);
    out.push_back(e);
  }
  return out;
}

class SqliteDb final : public TestDb {
 public:
  explicit SqliteDb(const testing::TempDir& dir) : dir_(dir) {}
  config::StoreSettings settings() const override {
    auto s = fast_settings(dir_);
    s.backend = config::StoreBackend::kSqlite;
    s.sqlite_path = dir_.file("db/manager.db").string();
    return s;
  }
  std::string name() const override { return "sqlite"; }
  std::vector<std::vector<std::string>> query(const std::string& sql) const override {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(settings().sqlite_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error("sqlite open: " + msg);
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error("sqlite: " + sql + ": " + msg);
    }
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_FLOAT) {
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, i));
          row.emplace_back(buf);
        } else {
          auto* text = sqlite3_column_text(st, i);
          row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "<null>");
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
  }
  std::vector<Sample> samples() const override {
    return to_samples(
        query("SELECT time, agent, kind, key, metric, value FROM samples "
              "ORDER BY time, agent, key, metric"));
  }
  std::vector<Event> events() const override {
    return to_events(
        query("SELECT time, agent, kind, oid, varbinds, text FROM events "
              "ORDER BY time, agent, text"));
  }

 private:
  const testing::TempDir& dir_;
};

class PostgresDb final : public TestDb {
 public:
  PostgresDb(testing::PostgresServer& server, std::string dbname, const testing::TempDir& dir)
      : server_(server), dbname_(std::move(dbname)), dir_(dir) {
    server_.create_database(dbname_);
  }
  config::StoreSettings settings() const override {
    auto s = fast_settings(dir_);
    s.backend = config::StoreBackend::kPostgresql;
    s.postgresql.host = "127.0.0.1";
    s.postgresql.port = server_.port();
    s.postgresql.dbname = dbname_;
    s.postgresql.user = server_.superuser();
    if (!server_.password().empty())
      s.postgresql.password = config::Secret(server_.password(), "test");
    return s;
  }
  std::string name() const override { return "postgresql"; }
  std::vector<std::vector<std::string>> query(const std::string& sql) const override {
    return server_.query(dbname_, sql);
  }
  // Text output of float8 in PostgreSQL 12+ is the shortest exact form, and extract(epoch) is
  // numeric (exact) since 14.
  std::vector<Sample> samples() const override {
    return to_samples(
        query("SELECT (extract(epoch FROM time) * 1000000)::bigint, agent, kind, key, "
              "metric, value FROM samples ORDER BY time, agent, key, metric"));
  }
  std::vector<Event> events() const override {
    return to_events(
        query("SELECT (extract(epoch FROM time) * 1000000)::bigint, agent, kind, oid, "
              "varbinds::text, text FROM events ORDER BY time, agent, text"));
  }

 private:
  testing::PostgresServer& server_;
  std::string dbname_;
  const testing::TempDir& dir_;
};

}  // namespace

TestDbPtr make_sqlite(const testing::TempDir& dir) { return std::make_unique<SqliteDb>(dir); }

TestDbPtr make_postgres(testing::PostgresServer& server, const std::string& dbname,
                        const testing::TempDir& dir) {
  return std::make_unique<PostgresDb>(server, dbname, dir);
}

namespace {

testing::PostgresServer* g_shared_server = nullptr;

// Stops the shared server at exit (a leaked server would leave postgres running); never starts it.
class SharedServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_shared_server != nullptr) g_shared_server->stop();
  }
};
const auto* const kSharedServerEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

testing::PostgresServer& shared_server() {
  if (g_shared_server == nullptr) {
    auto* server = new testing::PostgresServer();
    server->start();
    g_shared_server = server;
  }
  return *g_shared_server;
}

std::string test_db_name(const std::string& prefix) {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string out = prefix;
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return out.substr(0, 60);
}

}  // namespace netpower::manager::store::testdb
