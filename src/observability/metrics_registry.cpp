#include "observability/metrics_registry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace sentinel::observability {

static_assert(std::atomic<double>::is_always_lock_free, "updates must not take a lock");
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "updates must not take a lock");

namespace {

using Label = std::pair<std::string, std::string>;
using LabelRefs = std::span<const Label* const>;

enum class Type : std::uint8_t { counter, gauge, histogram };

std::string_view type_name(Type type) {
  switch (type) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
  }
  return "untyped";
}

constexpr std::array<double, 13> latency_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                  0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

[[noreturn]] void fail(std::string_view what, std::string_view name) {
  throw std::invalid_argument("metric " + std::string(name) + ": " + std::string(what));
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_metric_name(std::string_view s) {
  if (s.empty() || is_digit(s.front())) return false;
  return std::ranges::all_of(s, [](char c) { return is_letter(c) || is_digit(c) || c == '_' || c == ':'; });
}

bool valid_label_name(std::string_view s) {
  if (s.empty() || is_digit(s.front()) || s.starts_with("__")) return false;
  return std::ranges::all_of(s, [](char c) { return is_letter(c) || is_digit(c) || c == '_'; });
}

// Prometheus rejects a whole scrape over one bad byte, so bad text must not
// get in: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0U) == 0xC0U) {
      len = 2;
      cp = b & 0x1FU;
    } else if ((b & 0xF0U) == 0xE0U) {
      len = 3;
      cp = b & 0x0FU;
    } else if ((b & 0xF8U) == 0xF0U) {
      len = 4;
      cp = b & 0x07U;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (c & 0x3FU);
    }
    constexpr std::array<std::uint32_t, 5> min_for_len{0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view s, bool escape_quote) {
  for (const char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (escape_quote) {
          out += "\\\"";
        } else {
          out += c;
        }
        break;
      default: out += c;
    }
  }
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    std::array<char, 32> buf{};  // the shortest round-trip form is at most 24
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), r.ptr);
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

// A histogram's bounds as given, without a trailing +Inf (always implied).
std::span<const double> finite_bounds(std::span<const double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity())
    return bounds.first(bounds.size() - 1);
  return bounds;
}

// The caller's labels ordered by name, borrowed: no copy of any string, and
// no allocation for up to 8 labels (the hot path has two or three).
class SortedLabels {
 public:
  explicit SortedLabels(const MetricLabels& labels) {
    std::span<const Label*> slots;
    if (labels.size() <= inline_.size()) {
      slots = std::span(inline_).first(labels.size());
    } else {
      heap_.resize(labels.size());
      slots = heap_;
    }
    for (std::size_t i = 0; i < labels.size(); ++i) slots[i] = &labels[i];
    if (!std::ranges::is_sorted(slots, {}, [](const Label* l) -> const std::string& { return l->first; }))
      std::ranges::sort(slots, {}, [](const Label* l) -> const std::string& { return l->first; });
    items_ = slots;
  }
  SortedLabels(const SortedLabels&) = delete;
  SortedLabels& operator=(const SortedLabels&) = delete;

  LabelRefs items() const { return items_; }

 private:
  std::array<const Label*, 8> inline_{};
  std::vector<const Label*> heap_;
  LabelRefs items_;
};

std::size_t hash_combine(std::size_t seed, std::string_view part) {
  const std::size_t h = std::hash<std::string_view>{}(part);
  return seed ^ (h + std::size_t{0x9e3779b97f4a7c15} + (seed << 6U) + (seed >> 2U));
}

std::size_t hash_series(std::string_view name, LabelRefs labels) {
  std::size_t h = std::hash<std::string_view>{}(name);
  for (const Label* l : labels) h = hash_combine(hash_combine(h, l->first), l->second);
  return h;
}

// Length-prefixed, so ("ab","c") and ("a","bc") differ without any escaping.
void append_part(std::string& out, std::string_view part) {
  const auto len = static_cast<std::uint32_t>(part.size());
  std::array<char, sizeof len> raw{};
  std::memcpy(raw.data(), &len, sizeof len);
  out.append(raw.data(), raw.size());
  out.append(part);
}

struct SeriesKey {
  std::size_t hash;
  std::string encoded;
};

struct SeriesProbe {
  std::size_t hash;
  std::string_view name;
  LabelRefs labels;
};

bool matches(const SeriesProbe& p, const SeriesKey& k) {
  if (p.hash != k.hash) return false;
  const std::string_view enc = k.encoded;
  std::size_t pos = 0;
  const auto take = [&](std::string_view part) {
    std::uint32_t len = 0;
    if (enc.size() - pos < sizeof len) return false;
    std::memcpy(&len, enc.data() + pos, sizeof len);
    pos += sizeof len;
    if (len != part.size() || enc.substr(pos, len) != part) return false;
    pos += len;
    return true;
  };
  if (!take(p.name)) return false;
  for (const Label* l : p.labels)
    if (!take(l->first) || !take(l->second)) return false;
  return pos == enc.size();
}

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const SeriesKey& k) const noexcept { return k.hash; }
  std::size_t operator()(const SeriesProbe& p) const noexcept { return p.hash; }
};

struct KeyEqual {
  using is_transparent = void;
  bool operator()(const SeriesKey& a, const SeriesKey& b) const noexcept {
    return a.hash == b.hash && a.encoded == b.encoded;
  }
  bool operator()(const SeriesProbe& p, const SeriesKey& k) const noexcept { return matches(p, k); }
  bool operator()(const SeriesKey& k, const SeriesProbe& p) const noexcept { return matches(p, k); }
};

struct Family;

struct Series {
  template <class T, class... Args>
  Series(const Family& f, MetricLabels sorted, std::string text, std::in_place_type_t<T> kind, Args&&... args)
      : family(&f), labels(std::move(sorted)), label_text(std::move(text)), metric(kind, std::forward<Args>(args)...) {}

  const Family* family;
  MetricLabels labels;     // sorted by name: the order series are rendered in
  std::string label_text;  // `a="x",b="y"`, escaped, without braces
  std::variant<Counter, Gauge, Histogram, std::function<double()>> metric;
};

struct Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<double> bounds;                   // histograms: finite upper bounds
  std::vector<std::unique_ptr<Series>> series;  // sorted by labels
};

// What a lookup asks for; the callbacks are a counter or gauge family's other
// kind of series.
enum class Want : std::uint8_t { counter, counter_callback, gauge, gauge_callback, histogram };

bool is_callback(Want want) { return want == Want::counter_callback || want == Want::gauge_callback; }

Type family_type(Want want) {
  switch (want) {
    case Want::counter:
    case Want::counter_callback: return Type::counter;
    case Want::gauge:
    case Want::gauge_callback: return Type::gauge;
    case Want::histogram: return Type::histogram;
  }
  return Type::gauge;
}

bool holds(const Series& s, Want want) {
  switch (want) {
    case Want::counter: return std::holds_alternative<Counter>(s.metric);
    case Want::gauge: return std::holds_alternative<Gauge>(s.metric);
    case Want::counter_callback:
    case Want::gauge_callback: return std::holds_alternative<std::function<double()>>(s.metric);
    case Want::histogram: return std::holds_alternative<Histogram>(s.metric);
  }
  return false;
}

// Names a family puts on sample lines; two families must not share one, or a
// scraper could not tell whose `foo_count` it reads.
std::vector<std::string> exposed_names(std::string_view name, Type type) {
  std::vector<std::string> names{std::string(name)};
  if (type == Type::histogram) {
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"})
      names.push_back(std::string(name) + std::string(suffix));
  }
  return names;
}

void check_existing(const Series& s, Want want, std::string_view name, std::span<const double> bounds) {
  if (is_callback(want)) fail("series already registered; a callback series has one owner", name);
  if (s.family->type != family_type(want))
    fail("already registered as a " + std::string(type_name(s.family->type)), name);
  if (!holds(s, want)) fail("series already registered as a callback", name);
  if (want == Want::histogram && !std::ranges::equal(finite_bounds(bounds), s.family->bounds))
    fail("buckets differ from the family's", name);
}

void sample_line(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                 std::string_view le) {
  out += name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    out += labels;
    if (!le.empty()) {
      if (!labels.empty()) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

}  // namespace

// ---- Counter, Gauge, Histogram ----

void Counter::inc(double v) {
  if (!(v >= 0.0)) throw std::invalid_argument("Counter::inc: increment must be >= 0");
  // Whole increments below 2^53 are exact both as double and as uint64.
  if (v < 0x1p53 && v == std::trunc(v)) {
    whole_.fetch_add(static_cast<std::uint64_t>(v), std::memory_order_relaxed);
  } else {
    fraction_.fetch_add(v, std::memory_order_relaxed);
  }
}

double Counter::value() const {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) + fraction_.load(std::memory_order_relaxed);
}

void Gauge::set(double v) { value_.store(v, std::memory_order_relaxed); }
void Gauge::add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
double Gauge::value() const { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::span<const double> upper_bounds) {
  const auto bounds = finite_bounds(upper_bounds);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i])) throw std::invalid_argument("histogram bucket bound is NaN");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) throw std::invalid_argument("histogram buckets must increase strictly");
  }
  bounds_.assign(bounds.begin(), bounds.end());
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double v) {
  // Bucket i counts v <= bounds_[i]; NaN compares false everywhere, so it
  // falls through to +Inf.
  std::size_t i = 0;
  if (std::isnan(v)) {
    i = bounds_.size();
  } else {
    i = static_cast<std::size_t>(std::ranges::lower_bound(bounds_, v) - bounds_.begin());
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) total += counts_[i].load(std::memory_order_relaxed);
  return total;
}

double Histogram::sum() const { return sum_.load(std::memory_order_relaxed); }

std::uint64_t Histogram::bucket_count(std::size_t index) const {
  return index <= bounds_.size() ? counts_[index].load(std::memory_order_relaxed) : 0;
}

std::span<const double> default_latency_buckets() { return latency_buckets; }

// ---- MetricsRegistry ----

struct MetricsRegistry::State {
  // Lookups of existing series share the lock; only a new series takes it
  // exclusively, which happens a bounded number of times per process.
  mutable std::shared_mutex mutex;
  std::unordered_map<SeriesKey, Series*, KeyHash, KeyEqual> index;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families;  // sorted: render order
  std::unordered_set<std::string> exposed;                               // see exposed_names()

  Series& get(Want want, std::string_view name, std::string_view help, const MetricLabels& labels,
              std::span<const double> bounds, std::function<double()>* read);
  Series& create(Want want, const SeriesProbe& probe, std::string_view help, std::span<const double> bounds,
                 std::function<double()>* read);
};

Series& MetricsRegistry::State::get(Want want, std::string_view name, std::string_view help,
                                    const MetricLabels& labels, std::span<const double> bounds,
                                    std::function<double()>* read) {
  const SortedLabels sorted(labels);
  const SeriesProbe probe{hash_series(name, sorted.items()), name, sorted.items()};
  {
    const std::shared_lock lock(mutex);
    if (const auto it = index.find(probe); it != index.end()) {
      check_existing(*it->second, want, name, bounds);  // reads only fields fixed at creation
      return *it->second;
    }
  }
  const std::unique_lock lock(mutex);
  // Another thread may have created it between the two locks.
  if (const auto it = index.find(probe); it != index.end()) {
    check_existing(*it->second, want, name, bounds);
    return *it->second;
  }
  return create(want, probe, help, bounds, read);
}

Series& MetricsRegistry::State::create(Want want, const SeriesProbe& probe, std::string_view help,
                                       std::span<const double> bounds, std::function<double()>* read) {
  const std::string_view name = probe.name;
  const Type type = family_type(want);

  // Validate everything first, so a throw leaves the registry unchanged.
  if (!valid_metric_name(name)) fail("invalid metric name", name);
  if (!valid_utf8(help)) fail("help is not valid UTF-8", name);
  constexpr std::size_t max_part = std::numeric_limits<std::uint32_t>::max();
  if (name.size() > max_part) fail("name too long", name);
  for (std::size_t i = 0; i < probe.labels.size(); ++i) {
    const Label& l = *probe.labels[i];
    if (!valid_label_name(l.first)) fail("invalid label name '" + l.first + "'", name);
    if (type == Type::histogram && l.first == "le") fail("label 'le' is reserved for histogram buckets", name);
    if (i > 0 && probe.labels[i - 1]->first == l.first) fail("label '" + l.first + "' given twice", name);
    if (!valid_utf8(l.second)) fail("value of label '" + l.first + "' is not valid UTF-8", name);
    if (l.second.size() > max_part) fail("label value too long", name);
  }
  if (is_callback(want) && (read == nullptr || !*read)) fail("empty callback", name);

  const auto family_it = families.find(name);
  if (family_it != families.end()) {
    const Family& f = *family_it->second;
    if (f.type != type) fail("already registered as a " + std::string(type_name(f.type)), name);
    if (f.help != help) fail("help differs from the family's", name);
    if (type == Type::histogram && !std::ranges::equal(finite_bounds(bounds), f.bounds))
      fail("buckets differ from the family's", name);
  } else {
    for (const auto& n : exposed_names(name, type))
      if (exposed.contains(n)) fail("collides with the exposed name " + n + " of another family", name);
  }

  MetricLabels sorted_labels;
  sorted_labels.reserve(probe.labels.size());
  std::string label_text;
  SeriesKey key{probe.hash, {}};
  append_part(key.encoded, name);
  for (const Label* l : probe.labels) {
    sorted_labels.push_back(*l);
    if (!label_text.empty()) label_text += ',';
    label_text += l->first;
    label_text += "=\"";
    append_escaped(label_text, l->second, true);
    label_text += '"';
    append_part(key.encoded, l->first);
    append_part(key.encoded, l->second);
  }

  std::unique_ptr<Family> new_family;
  if (family_it == families.end()) {
    new_family = std::make_unique<Family>(
        Family{std::string(name), std::string(help), type, {}, {}});
    const auto fb = finite_bounds(bounds);
    new_family->bounds.assign(fb.begin(), fb.end());
  }
  Family& family = new_family ? *new_family : *family_it->second;

  std::unique_ptr<Series> series;
  auto make = [&]<class T>(std::in_place_type_t<T> kind, auto&&... args) {
    return std::make_unique<Series>(family, std::move(sorted_labels), std::move(label_text), kind,
                                    std::forward<decltype(args)>(args)...);
  };
  switch (want) {
    case Want::counter:
      series = make(std::in_place_type<Counter>);
      break;
    case Want::gauge:
      series = make(std::in_place_type<Gauge>);
      break;
    case Want::counter_callback:
    case Want::gauge_callback:
      series = make(std::in_place_type<std::function<double()>>, std::move(*read));
      break;
    case Want::histogram:  // validates the bounds; throws before anything is inserted
      series = make(std::in_place_type<Histogram>, bounds);
      break;
  }

  // Reserve first, so that only node allocations can still fail, and undo
  // those: a throw (out of memory) leaves the registry as it was.
  index.reserve(index.size() + 1);
  family.series.reserve(family.series.size() + 1);
  std::vector<std::string> names;
  if (new_family) {
    names = exposed_names(name, type);
    exposed.reserve(exposed.size() + names.size());
    families.emplace(std::string(name), std::move(new_family));
  }
  Series& result = *series;
  try {
    for (const auto& n : names) exposed.insert(n);
    index.emplace(std::move(key), &result);
  } catch (...) {
    for (const auto& n : names) exposed.erase(n);
    if (!names.empty()) families.erase(families.find(name));
    throw;
  }
  const auto by_labels = [](const std::unique_ptr<Series>& s) -> const MetricLabels& { return s->labels; };
  const auto pos = std::ranges::upper_bound(family.series, result.labels, std::less<>{}, by_labels);
  family.series.insert(pos, std::move(series));  // capacity reserved: cannot throw
  return result;
}

MetricsRegistry::MetricsRegistry() : state_(std::make_unique<State>()) {}
MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  return std::get<Counter>(state_->get(Want::counter, name, help, labels, {}, nullptr).metric);
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  return std::get<Gauge>(state_->get(Want::gauge, name, help, labels, {}, nullptr).metric);
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help, std::span<const double> buckets,
                                      const MetricLabels& labels) {
  return std::get<Histogram>(state_->get(Want::histogram, name, help, labels, buckets, nullptr).metric);
}

void MetricsRegistry::gauge_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                                     std::function<double()> read) {
  state_->get(Want::gauge_callback, name, help, labels, {}, &read);
}

void MetricsRegistry::counter_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                                       std::function<double()> read) {
  state_->get(Want::counter_callback, name, help, labels, {}, &read);
}

std::string MetricsRegistry::render() const {
  // Copy pointers under the lock, format without it: families and series are
  // never removed and their text never changes, and callbacks then run with
  // no registry lock held (they may take their own locks, or register).
  std::vector<std::pair<const Family*, std::vector<const Series*>>> snapshot;
  {
    const std::shared_lock lock(state_->mutex);
    snapshot.reserve(state_->families.size());
    for (const auto& [name, family] : state_->families) {
      std::vector<const Series*> series;
      series.reserve(family->series.size());
      for (const auto& s : family->series) series.push_back(s.get());
      snapshot.emplace_back(family.get(), std::move(series));
    }
  }

  std::string out;
  out.reserve(snapshot.size() * 256);
  std::string le;
  for (const auto& [family, series] : snapshot) {
    const std::string_view name = family->name;
    if (!family->help.empty()) {
      out += "# HELP ";
      out += name;
      out += ' ';
      append_escaped(out, family->help, false);
      out += '\n';
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += type_name(family->type);
    out += '\n';
    for (const Series* s : series) {
      if (const auto* c = std::get_if<Counter>(&s->metric)) {
        sample_line(out, name, "", s->label_text, "");
        append_double(out, c->value());
      } else if (const auto* g = std::get_if<Gauge>(&s->metric)) {
        sample_line(out, name, "", s->label_text, "");
        append_double(out, g->value());
      } else if (const auto* read = std::get_if<std::function<double()>>(&s->metric)) {
        double v = std::numeric_limits<double>::quiet_NaN();
        try {
          v = (*read)();
        } catch (...) {
          // One broken callback must not cost the whole scrape; NaN shows it.
        }
        sample_line(out, name, "", s->label_text, "");
        append_double(out, v);
      } else if (const auto* h = std::get_if<Histogram>(&s->metric)) {
        // +Inf and _count are the same running total, so they agree even
        // while other threads observe.
        std::uint64_t cumulative = 0;
        const auto bounds = h->upper_bounds();
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
          cumulative += h->bucket_count(i);
          le.clear();
          if (i < bounds.size()) {
            append_double(le, bounds[i]);
          } else {
            le = "+Inf";
          }
          sample_line(out, name, "_bucket", s->label_text, le);
          append_uint(out, cumulative);
          out += '\n';
        }
        sample_line(out, name, "_sum", s->label_text, "");
        append_double(out, h->sum());
        out += '\n';
        sample_line(out, name, "_count", s->label_text, "");
        append_uint(out, cumulative);
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace sentinel::observability
