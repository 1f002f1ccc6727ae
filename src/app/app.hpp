#pragma once
#include "domain/role.hpp"
// The only place that builds components and wires them together. Roles
// choose which components start; everything else receives its dependencies
// through constructors.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace sentinel::app {

enum class Role { all, api, worker };

// Runs `sentinel serve` until SIGTERM/SIGINT; returns the exit code.
int serve(config::Config config, Role role);

// `sentinel migrate`: applies pending migrations, prints what it did.
int migrate(const config::Config& config);

// `sentinel user ...` commands; password from --password or stdin.
int user_create(const config::Config& config, const std::string& email, const std::string& password,
                domain::Role role);
int user_list(const config::Config& config);
int user_set_password(const config::Config& config, const std::string& email, const std::string& password);
int user_deactivate(const config::Config& config, const std::string& email);

// `sentinel channels rekey --old-secret-key-file F`: re-encrypts every
// notification channel's secrets, sealed under the key in F, with the
// current SECRET_KEY, in one transaction (src/app/channel_commands.cpp).
int channels_rekey(const config::Config& config, const std::string& old_key_file);

// Imports Prometheus rule files as POST /api/v1/alerts/rules/import does,
// printing each file's report (src/app/rule_commands.cpp). Exit status 0
// when every rule was imported (or skipped), 1 when some failed or
// Prometheus could not validate them, 2 when a file cannot be read.
int rules_import(const config::Config& config, const std::vector<std::string>& files, bool dry_run, bool partial);

// The route table (api/routes.cpp) as a JSON array of {method, path, role,
// transport}: for `sentinel routes`, tests and tooling.
std::string route_table_json();

}  // namespace sentinel::app
