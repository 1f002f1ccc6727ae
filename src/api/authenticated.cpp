#include "api/authenticated.hpp"

namespace sentinel::api {

std::optional<std::string> bearer_token(const http::Request& req) {
  auto h = req.header("Authorization");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  if (v.size() < 7 || !http::iequals(v.substr(0, 7), "bearer ")) return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

core::Result<Caller> authorize(Services& services, const http::Request& req, const std::optional<std::string>& token) {
  if (!token) return core::fail(core::Error::unauthorized());
  auto principal = services.auth.authenticate(*token);
  if (!principal) return core::fail(principal.error());
  const auto needed = req.required_role > 0 ? static_cast<domain::Role>(req.required_role) : domain::Role::viewer;
  if (!domain::allows(principal->role, needed)) return core::fail(core::Error::forbidden("Not enough privileges"));
  return Caller{std::move(*principal), req.remote_address, req.request_id};
}

}  // namespace sentinel::api
