#pragma once
// Sentinel's own metrics for GET /metrics, in Prometheus text exposition
// format 0.0.4. Standard headers only, so any component can include it to
// count what it does without pulling in Asio or Beast.
//
// Registration (the first lookup of a series) takes a lock; updates
// (inc/set/add/observe) are lock-free and safe from any thread; render() may
// run while other threads update and register.
#include <atomic>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::observability {

// Label name → value. Order does not matter: {{"a","1"},{"b","2"}} and
// {{"b","2"},{"a","1"}} name the same series.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Monotonic total. Whole increments go to an integer that one `lock xadd`
// updates; fractional ones to a double updated by compare-and-swap, so the
// common inc() never loops under contention.
class Counter {
 public:
  // Throws std::invalid_argument when v is negative or NaN: a counter that
  // goes down reads as a process restart to rate(), so it is a caller bug.
  void inc(double v = 1.0);
  // Never fails. Exact while the whole part stays below 2^53.
  double value() const;

 private:
  std::atomic<std::uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  // Never fail; any double (NaN and ±Inf included) is stored as given.
  void set(double v);
  void add(double v);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, inclusive), plus
// their sum. observe() is one bucket increment and one sum update, no lock.
class Histogram {
 public:
  // Throws std::invalid_argument unless `upper_bounds` is strictly increasing
  // and free of NaN. A trailing +Inf is accepted and dropped: the +Inf bucket
  // is always there.
  explicit Histogram(std::span<const double> upper_bounds);

  // Never fails. NaN lands in the +Inf bucket only and turns sum() into NaN,
  // as in Prometheus's own client libraries.
  void observe(double v);
  // Never fail. Read while other threads observe, count() and sum() may
  // disagree by the observations in flight.
  std::uint64_t count() const;
  double sum() const;

  // Finite upper bounds, without the implicit +Inf.
  std::span<const double> upper_bounds() const { return bounds_; }
  // Observations per bucket, NOT cumulative; index upper_bounds().size() is
  // the +Inf bucket. Never fails (out-of-range index → 0).
  std::uint64_t bucket_count(std::size_t index) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Same name + labels twice → the same object, so callers may look series up
  // lazily on every use (one hash lookup under a shared lock) or keep the
  // reference. References stay valid for the registry's lifetime.
  //
  // Throws std::invalid_argument (programming errors, all checked before
  // anything is registered):
  //  * the name is taken by a family of another type, or a name it exposes
  //    (a histogram's foo_bucket/_sum/_count) collides with another family;
  //  * a metric name outside [a-zA-Z_:][a-zA-Z0-9_:]*, a label name outside
  //    [a-zA-Z_][a-zA-Z0-9_]* or starting with "__", a repeated label name,
  //    "le" on a histogram;
  //  * help or a label value that is not valid UTF-8;
  //  * help that differs from the family's (checked when a series is created);
  //  * histogram buckets that are not strictly increasing, or differ from the
  //    family's (every series of a family shares one bucket layout);
  //  * gauge() or counter() for a series registered by a *_callback().
  // May also throw std::bad_alloc.
  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::span<const double> buckets,
                       const MetricLabels& labels = {});

  // A gauge computed when scraped (queue depth, open connections). `read` is
  // called by render(), outside the registry's lock (so it may itself use the
  // registry), from the scraping thread; it must stay callable for the
  // registry's lifetime, since series are never removed. If it throws, the
  // sample reads NaN and the rest of the page is still served.
  // Throws std::invalid_argument for the reasons above, when the series
  // already exists (a callback has exactly one owner), or when `read` is empty.
  void gauge_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                      std::function<double()> read);

  // The same for a total someone else keeps (CPU seconds from /proc): typed
  // counter; `read` must never go down, or rate() sees a restart.
  void counter_callback(std::string_view name, std::string_view help, const MetricLabels& labels,
                        std::function<double()> read);

  // The whole registry in text format 0.0.4: # HELP and # TYPE once per
  // family, families sorted by name, series by labels; histograms as
  // cumulative _bucket{le=...} (with +Inf), _sum, _count. Exceptions from
  // callbacks are absorbed (see gauge_callback); may throw std::bad_alloc.
  std::string render() const;

  // Wire representation of this format, for the Content-Type header.
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

 private:
  // Maps and locks live in the .cpp so this header stays light.
  struct State;
  std::unique_ptr<State> state_;
};

// Standard latency buckets in seconds: 0.001 … 10. Never fails.
std::span<const double> default_latency_buckets();

}  // namespace sentinel::observability
