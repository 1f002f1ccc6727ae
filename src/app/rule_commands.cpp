// `sentinel rules import FILE… [--dry-run] [--partial]`: Prometheus rule
// files into the database, as POST /api/v1/alerts/rules/import does (the
// same importer: validated against PROMETHEUS_URL, all or nothing, the same
// report), for provisioning without a token.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "alerting/rule_file_importer.hpp"
#include "app/alert_engine.hpp"
#include "app/app.hpp"
#include "app/bootstrap.hpp"
#include "config/config.hpp"
#include "core/blocking.hpp"
#include "http_client/http_client.hpp"
#include "prometheus/client.hpp"
#include "storage/alert_rule_repository.hpp"

namespace sentinel::app {

namespace {

namespace asio = boost::asio;

// The API's body limit, so that a file the CLI takes, the API takes too.
constexpr std::size_t max_rule_file_bytes = 1024 * 1024;

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = std::move(out).str();
  if (text.size() > max_rule_file_bytes) {
    error = path + " is larger than 1 MiB (split it into several files)";
    return std::nullopt;
  }
  return text;
}

void print_report(const std::string& path, const alerting::RuleImportReport& r) {
  for (const auto& e : r.rules) {
    std::cout << path << ":" << e.line << ": " << e.group << " / " << e.name << ": " << e.action;
    if (e.rule_id) std::cout << " (rule " << *e.rule_id << ")";
    if (!e.reason.empty()) std::cout << ": " << e.reason;
    std::cout << "\n";
    for (const auto& note : e.notes) std::cout << "    note: " << note << "\n";
  }
  std::cout << path << ": " << r.count("created") << " created, " << r.count("updated") << " updated, "
            << r.count("unchanged") << " unchanged, " << r.count("skipped") << " skipped, " << r.count("failed")
            << " failed";
  if (r.dry_run) std::cout << " (dry run: nothing written)";
  else if (!r.written) std::cout << " (nothing written: fix the failed rules, or pass --partial)";
  std::cout << "\n";
}

}  // namespace

int rules_import(const config::Config& config, const std::vector<std::string>& files, bool dry_run, bool partial) {
  auto db = open_database(config, 5);
  storage::AlertRuleRepository rules(*db, core::system_now, routing_defaults(config));
  core::BlockingPool blocking(1);
  asio::io_context io;
  http_client::HttpClient http(io.get_executor());
  prometheus::Client prometheus(http, prometheus::ClientOptions{
                                          .base_url = config.prometheus_url,
                                          .timeout = std::chrono::seconds(config.prometheus_timeout_sec),
                                          .max_concurrency = static_cast<std::size_t>(config.prometheus_max_concurrency),
                                          .username = config.prometheus_username,
                                          .password = config.prometheus_password,
                                          .bearer_token = config.prometheus_bearer_token});
  int status = 0;
  for (const auto& path : files) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) {
      std::cerr << "error: " << error << "\n";
      status = 2;
      continue;
    }
    auto run = alerting::import_rule_file(prometheus, blocking, rules, std::move(*text),
                                          {.dry_run = dry_run, .partial = partial}, domain::AuditActor::cli());
    auto done = asio::co_spawn(io, std::move(run), asio::use_future);
    io.restart();
    io.run();
    auto report = done.get();
    if (!report) {
      std::cerr << "error: " << path << ": " << report.error().detail << "\n";
      for (const auto& f : report.error().fields) std::cerr << "  " << path << ": " << f.msg << "\n";
      status = 1;
      continue;
    }
    print_report(path, *report);
    if (report->count("failed") > 0) status = 1;
  }
  return status;
}

}  // namespace sentinel::app
