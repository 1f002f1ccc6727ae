#include "storage/batch_statement.hpp"

#include "storage/sql_support.hpp"

namespace sentinel::storage {

void BatchStatement::run(soci::statement& st, bool fetch) {
  for (auto& bind : binders_) bind(st);
  st.alloc();
  st.prepare(text_);
  st.define_and_bind();
  st.execute(fetch);
}

void BatchStatement::execute() {
  soci::statement st(sql_);
  run(st, true);  // true: the bound values are exchanged (false would send none)
}

std::vector<std::pair<long long, std::string>> BatchStatement::returning() {
  std::vector<std::pair<long long, std::string>> out;
  // Row by row: SOCI's SQLite backend returns no rows into vectors for an INSERT.
  for_each_row([&out](const soci::row& r) { out.emplace_back(sql::get_i64(r, 0), sql::get_str(r, 1)); });
  return out;
}

void BatchStatement::for_each_row(const std::function<void(const soci::row&)>& each) {
  soci::row row;
  soci::statement st(sql_);
  st.exchange(soci::into(row));
  for (auto& bind : binders_) bind(st);
  st.alloc();
  st.prepare(text_);
  st.define_and_bind();
  if (!st.execute(true)) return;
  do {
    each(row);
  } while (st.fetch());
}

}  // namespace sentinel::storage
