// sentinel: the command line (product.md §1). Parses arguments, loads the
// configuration, and hands over to app/.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>

#include "app/app.hpp"
#include "domain/role.hpp"
#include "config/config.hpp"
#include "observability/logging.hpp"

namespace {

using sentinel::config::Config;
using sentinel::config::Settings;

// Reads a password from stdin: the first line, without its line ending.
std::string read_password_stdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Loads and validates the configuration; on error prints one line naming
// the variable and returns nullopt.
std::optional<Config> load_config(const Settings& flags, bool need_secret) {
  auto config = sentinel::config::load_from_process(flags);
  if (!config) {
    std::cerr << "sentinel: configuration error: " << config.error().detail << "\n";
    return std::nullopt;
  }
  if (need_secret) {
    if (auto ok = sentinel::config::ensure_secret_key(*config, sentinel::config::data_dir(*config)); !ok) {
      std::cerr << "sentinel: configuration error: " << ok.error().detail << "\n";
      return std::nullopt;
    }
  }
  sentinel::observability::setup_logging(config->log_level, config->log_format);
  return std::move(*config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Sentinel: self-hosted server monitoring backend (REST API, live metrics, PromQL alerts)"};
  cli.require_subcommand(1);
  Settings flags;

  auto* serve = cli.add_subcommand("serve", "Run the HTTP API, WebSocket streams and the alert engine");
  std::string role = "all";
  std::string host, port, database_url;
  serve->add_option("--role", role, "all | api | worker")->check(CLI::IsMember({"all", "api", "worker"}));
  serve->add_option("--host", host, "listen address (HOST)");
  serve->add_option("--port", port, "listen port (PORT)");
  serve->add_option("--database-url", database_url, "database (DATABASE_URL)");

  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  auto* check = cli.add_subcommand("check-config", "Print the effective configuration (secrets masked)");
  auto* version = cli.add_subcommand("version", "Print the version");
  auto* routes = cli.add_subcommand("routes", "Print the route table (method, path, role) as JSON and exit");

  auto* user = cli.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);
  std::string email, password;
  bool password_stdin = false, superuser = false;
  auto* user_create = user->add_subcommand("create", "Create a user");
  user_create->add_option("--email", email, "email address (login name)")->required();
  auto* pw_opt = user_create->add_option("--password", password, "password (prefer --password-stdin)");
  user_create->add_flag("--password-stdin", password_stdin, "read the password from standard input")->excludes(pw_opt);
  user_create->add_flag("--superuser", superuser, "make an admin (same as --role admin)");
  std::string user_role;
  user_create->add_option("--role", user_role, "viewer, editor (default) or admin")
      ->check(CLI::IsMember({"viewer", "editor", "admin"}));
  auto* user_list = user->add_subcommand("list", "List users");
  auto* user_set_password = user->add_subcommand("set-password", "Change a user's password (revokes their tokens)");
  user_set_password->add_option("--email", email)->required();
  auto* pw_opt2 = user_set_password->add_option("--password", password, "new password");
  user_set_password->add_flag("--password-stdin", password_stdin, "read the password from standard input")
      ->excludes(pw_opt2);
  auto* user_deactivate = user->add_subcommand("deactivate", "Deactivate a user (revokes their tokens)");
  user_deactivate->add_option("--email", email)->required();

  auto* channels = cli.add_subcommand("channels", "Manage notification channels");
  channels->require_subcommand(1);
  std::string old_key_file;
  auto* channels_rekey = channels->add_subcommand(
      "rekey", "Re-encrypt every channel's secrets with the current SECRET_KEY (after changing it)");
  channels_rekey
      ->add_option("--old-secret-key-file", old_key_file,
                   "file holding the previous SECRET_KEY (e.g. a copy of the old data/secret.key)")
      ->required();

  auto* rules = cli.add_subcommand("rules", "Manage alert rules");
  rules->require_subcommand(1);
  std::vector<std::string> rule_files;
  bool rules_dry_run = false, rules_partial = false;
  auto* rules_import = rules->add_subcommand(
      "import", "Import Prometheus/vmalert alerting-rule files (validated against PROMETHEUS_URL; all or nothing)");
  rules_import->add_option("files", rule_files, "rule files (YAML)")->required()->check(CLI::ExistingFile);
  rules_import->add_flag("--dry-run", rules_dry_run, "report what would be imported, write nothing");
  rules_import->add_flag("--partial", rules_partial, "import the rules that can be, report the others");

  CLI11_PARSE(cli, argc, argv);

  if (!host.empty()) flags["HOST"] = host;
  if (!port.empty()) flags["PORT"] = port;
  if (!database_url.empty()) flags["DATABASE_URL"] = database_url;

  if (version->parsed()) {
    std::cout << "sentinel " << SENTINEL_VERSION << "\n";
    return 0;
  }
  if (routes->parsed()) {
    std::cout << sentinel::app::route_table_json() << "\n";
    return 0;
  }
  try {
    if (check->parsed()) {
      auto config = sentinel::config::load_from_process(flags);
      if (!config) {
        std::cerr << "sentinel: configuration error: " << config.error().detail << "\n";
        return 1;
      }
      std::cout << sentinel::config::describe(*config);
      return 0;
    }
    if (serve->parsed()) {
      auto config = load_config(flags, true);
      if (!config) return 1;
      const auto r = role == "api" ? sentinel::app::Role::api
                     : role == "worker" ? sentinel::app::Role::worker
                                        : sentinel::app::Role::all;
      return sentinel::app::serve(std::move(*config), r);
    }
    if (channels_rekey->parsed()) {
      // The current key is the one channels are re-encrypted with.
      auto config = load_config(flags, true);
      if (!config) return 1;
      return sentinel::app::channels_rekey(*config, old_key_file);
    }
    auto config = load_config(flags, false);
    if (!config) return 1;
    if (migrate->parsed()) return sentinel::app::migrate(*config);
    if (rules_import->parsed()) return sentinel::app::rules_import(*config, rule_files, rules_dry_run, rules_partial);
    if ((user_create->parsed() || user_set_password->parsed()) && password_stdin) password = read_password_stdin();
    if (user_create->parsed()) {
      const auto chosen = user_role.empty() ? sentinel::domain::default_role(superuser)
                                            : *sentinel::domain::parse_role(user_role);
      if (superuser && chosen != sentinel::domain::Role::admin) {
        std::cerr << "sentinel: --superuser and --role " << user_role << " disagree\n";
        return 2;
      }
      return sentinel::app::user_create(*config, email, password, chosen);
    }
    if (user_list->parsed()) return sentinel::app::user_list(*config);
    if (user_set_password->parsed()) return sentinel::app::user_set_password(*config, email, password);
    if (user_deactivate->parsed()) return sentinel::app::user_deactivate(*config, email);
  } catch (const std::exception& e) {
    // Infrastructure failure at start (database unreachable, migration
    // failed): one clear line, non-zero exit, never half-started.
    std::cerr << "sentinel: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
