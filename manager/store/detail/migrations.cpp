#include "manager/store/detail/migrations.h"

#include <algorithm>
#include <stdexcept>

namespace netpower::manager::store::detail {

std::vector<Migration> migrations_for(config::StoreBackend backend) {
  const auto& embedded = backend == config::StoreBackend::kPostgresql
                             ? embedded_postgresql_migrations()
                             : embedded_sqlite_migrations();
  std::vector<Migration> out;
  for (const auto& m : embedded) {
    std::string name = m.file;
    auto digits = name.substr(0, name.find('_'));
    if (digits.size() != 4 || digits.find_first_not_of("0123456789") != std::string::npos) {
      throw std::logic_error("migration " + name + " does not start with a 4-digit number and _");
    }
    out.push_back({std::stoi(digits), name, m.sql});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].version != static_cast<int>(i) + 1) {
      throw std::logic_error("migrations must be numbered 0001, 0002, ... without gaps; found " +
                             out[i].name);
    }
  }
  return out;
}

}  // namespace netpower::manager::store::detail
