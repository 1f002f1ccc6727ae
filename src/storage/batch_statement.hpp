#pragma once
// A statement over many rows at once (multi-row INSERT ... VALUES, IN (...),
// CASE id WHEN ...), written as text and values in the order they appear.
// One statement for a chunk of rows instead of one per row: on PostgreSQL
// every statement is a round trip, and a fleet rule's firing storm writes
// a thousand series at once (bench/fleet). Internal to storage/.
//
// Each value gets a placeholder of its own name (:p0, :p1, ...): SQLite gives
// a repeated name one parameter, and SOCI binds by position. Values are
// copied into the statement (stable addresses until it has run).
#include <soci/soci.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::storage {

class BatchStatement {
 public:
  // Rows per statement: few enough for every driver's parameter limit
  // (SQLite's is 32 766) with twenty columns, many enough that a storm of a
  // thousand series is a handful of statements.
  static constexpr std::size_t chunk_rows = 100;

  explicit BatchStatement(soci::session& sql) : sql_(sql) {}

  BatchStatement& text(std::string_view t) {
    text_ += t;
    return *this;
  }
  BatchStatement& value(long long v) { return bind(ints_, v, true); }
  BatchStatement& value(const std::optional<long long>& v) { return bind(ints_, v.value_or(0), v.has_value()); }
  BatchStatement& value(const std::optional<double>& v) { return bind(doubles_, v.value_or(0), v.has_value()); }
  BatchStatement& value(std::string v) { return bind(strings_, std::move(v), true); }
  BatchStatement& value(const std::optional<std::string>& v) {
    return bind(strings_, v.value_or(std::string()), v.has_value());
  }

  // Runs it (no rows expected back).
  void execute();

  // Runs it and reads the rows of (integer, text) it returns: for
  // INSERT ... RETURNING id, <key>.
  std::vector<std::pair<long long, std::string>> returning();

  // Runs it and calls `each` with every row it selects.
  void for_each_row(const std::function<void(const soci::row&)>& each);

 private:
  template <class T, class V>
  BatchStatement& bind(std::deque<T>& store, V&& v, bool present) {
    store.push_back(std::forward<V>(v));
    indicators_.push_back(present ? soci::i_ok : soci::i_null);
    T& value = store.back();
    soci::indicator& ind = indicators_.back();
    text_ += ":p";
    text_ += std::to_string(binders_.size());
    binders_.emplace_back([&value, &ind](soci::statement& st) { st.exchange(soci::use(value, ind)); });
    return *this;
  }
  // Binds the values (after the caller's intos), prepares and runs.
  void run(soci::statement& st, bool fetch);

  soci::session& sql_;
  std::string text_;
  std::deque<long long> ints_;
  std::deque<double> doubles_;
  std::deque<std::string> strings_;
  std::deque<soci::indicator> indicators_;
  std::vector<std::function<void(soci::statement&)>> binders_;
};

}  // namespace sentinel::storage
