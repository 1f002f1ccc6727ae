#pragma once
// Who is calling, as authentication established it: the user, the role the
// credential grants (an API token's role, never above its owner's), and
// which credential it was. Handlers receive it through the route table.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "domain/role.hpp"
#include "domain/user.hpp"

namespace sentinel::auth {

struct Principal {
  domain::User user;
  domain::Role role = domain::Role::viewer;  // effective role of this credential
  std::optional<std::int64_t> token_id;      // set for an API token
  std::optional<core::Timestamp> expires_at;  // when the credential stops working, if ever

  std::string_view via() const { return token_id ? "token" : "password"; }
};

}  // namespace sentinel::auth
