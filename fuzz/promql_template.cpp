// $instance / $job templating of rule PromQL: the first half of the input is
// the query, the second the values. Never a crash; the escapers keep their
// output free of raw control bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "prometheus/promql_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto cut = all.find('\0');
  const std::string_view promql = all.substr(0, cut);
  const std::string_view value = cut == std::string_view::npos ? std::string_view() : all.substr(cut + 1);
  (void)prometheus::uses_template_vars(promql);
  prometheus::TemplateVars vars{std::string(value), std::string(value.substr(0, value.size() / 2))};
  (void)prometheus::render_promql(promql, vars);
  (void)prometheus::render_promql(promql, prometheus::TemplateVars{});
  for (const char quote : {'"', '\''}) {
    const std::string escaped = prometheus::escape_string_literal(value, quote);
    for (const char c : escaped)
      if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  (void)prometheus::quote_regex(value);
  return 0;
}
