#pragma once
// Who may do what (product.md §7). Roles are ordered: each one may do
// everything the one below it may. `is_superuser: true` is the admin role,
// kept for clients of the original API.
#include <optional>
#include <string_view>

namespace sentinel::domain {

enum class Role { viewer = 1, editor = 2, admin = 3 };

constexpr std::string_view to_string(Role r) {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::editor: return "editor";
    case Role::admin: return "admin";
  }
  return "viewer";
}

constexpr std::optional<Role> parse_role(std::string_view s) {
  if (s == "viewer") return Role::viewer;
  if (s == "editor") return Role::editor;
  if (s == "admin") return Role::admin;
  return std::nullopt;
}

constexpr bool allows(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

constexpr Role lesser(Role a, Role b) { return allows(a, b) ? b : a; }

// A user created without a role: admin when is_superuser, else editor.
constexpr Role default_role(bool is_superuser) { return is_superuser ? Role::admin : Role::editor; }

}  // namespace sentinel::domain
