#include "http_client/transport.hpp"

namespace sentinel::http_client {

std::optional<std::string> Response::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace sentinel::http_client
