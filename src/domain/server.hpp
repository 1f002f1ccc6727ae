#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

struct Server {
  std::int64_t id = 0;
  std::string name;      // 1–255 chars, unique
  std::string job_name;  // Prometheus job label, non-empty
  std::string instance;  // Prometheus instance label, host:port
  bool is_active = true;
  std::optional<std::string> description;
  std::optional<std::string> cadvisor_instance;  // host:port
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
};

struct ServerCreate {
  std::string name;
  std::string job_name;
  std::string instance;
  bool is_active = true;
  std::optional<std::string> description;
  std::optional<std::string> cadvisor_instance;
};

// PATCH: outer optional = field present; inner optional = JSON null (clears).
struct ServerPatch {
  std::optional<std::string> name;
  std::optional<std::string> job_name;
  std::optional<std::string> instance;
  std::optional<bool> is_active;
  std::optional<std::optional<std::string>> description;
  std::optional<std::optional<std::string>> cadvisor_instance;
};

struct ServerFilter {
  std::optional<bool> is_active;
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

}  // namespace sentinel::domain
