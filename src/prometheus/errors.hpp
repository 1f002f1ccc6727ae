#pragma once
// A failed query as the API reports it (the one mapping from QueryError to
// core::Error; http/responses.cpp then picks the status):
//   unavailable                       → 503 "Prometheus unavailable: …"
//   internal, canceled, bad_response,
//   unauthorized                      → 502 "Prometheus unavailable: …"
//   timeout                           → 504 "Prometheus query timed out: …"
//   bad_data, execution               → 422 on `loc` carrying Prometheus's message
#include <string>
#include <vector>

#include "core/error.hpp"
#include "prometheus/result.hpp"

namespace sentinel::prometheus {

core::Error to_api_error(const QueryError& error, std::vector<std::string> loc);

}  // namespace sentinel::prometheus
