#include "prometheus/errors.hpp"

namespace sentinel::prometheus {

core::Error to_api_error(const QueryError& error, std::vector<std::string> loc) {
  using K = QueryErrorKind;
  switch (error.kind) {
    case K::unavailable:
      return core::Error{core::ErrorKind::unavailable, "Prometheus unavailable: " + error.message, {}, 0};
    case K::timeout:
      return core::Error{core::ErrorKind::timeout, "Prometheus query timed out: " + error.message, {}, 0};
    case K::bad_data:
    case K::execution:
      return core::Error::invalid_field(std::move(loc), "Prometheus rejected the query: " + error.message,
                                        error.kind == K::bad_data ? "promql_bad_data" : "promql_execution");
    case K::unauthorized:
      return core::Error{core::ErrorKind::bad_gateway,
                         "Prometheus unavailable: the datasource refused our credentials (" + error.message +
                             "); check PROMETHEUS_USERNAME / PROMETHEUS_PASSWORD / PROMETHEUS_BEARER_TOKEN",
                         {}, 0};
    case K::too_large:
      return core::Error{core::ErrorKind::invalid, "result too large; narrow the query", {}, 0};
    case K::canceled:
    case K::internal:
    case K::bad_response:
      break;
  }
  return core::Error{core::ErrorKind::bad_gateway,
                     "Prometheus unavailable: " + std::string(to_string(error.kind)) + ": " + error.message, {}, 0};
}

}  // namespace sentinel::prometheus
