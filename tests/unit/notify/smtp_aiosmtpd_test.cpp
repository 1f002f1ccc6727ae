// smtp_sender against a real SMTP server: aiosmtpd (Debian's
// python3-aiosmtpd, in scripts/install-deps' test packages), started on a
// free loopback port with a handler that records what it receives
// (smtp_record.py). Security "none" only: STARTTLS and smtps need a
// certificate the sender would trust. Skipped when no Python here can
// import aiosmtpd.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "notify/email_message.hpp"
#include "notify/smtp_sender.hpp"

extern char** environ;

namespace sentinel::notify {
namespace {

namespace fs = std::filesystem;

std::string python_with_aiosmtpd() {
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    const std::string probe = std::string(py) + " -c 'import aiosmtpd' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return py;
  }
  return {};
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class Aiosmtpd : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string python = python_with_aiosmtpd();
    if (python.empty()) GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/install-deps test)";
    dir_ = fs::temp_directory_path() / ("sentinel-smtp-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    out_ = dir_ / "messages.jsonl";
    port_ = free_port();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string pythonpath = "PYTHONPATH=" SENTINEL_SMTP_RECORD_DIR;
    std::vector<std::string> args{python, "-m", "aiosmtpd", "-n", "-l", listen, "-c", "smtp_record.Recorder",
                                  out_.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings{pythonpath, "PYTHONDONTWRITEBYTECODE=1"};
    for (char** e = environ; *e != nullptr; ++e)
      if (std::string_view(*e).rfind("PYTHONPATH=", 0) != 0) env_strings.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ASSERT_EQ(::posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), envp.data()), 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{15};
    while (!accepts(port_)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "aiosmtpd did not start on " << listen;
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  std::vector<boost::json::value> received() const {
    std::vector<boost::json::value> out;
    std::ifstream in(out_);
    for (std::string line; std::getline(in, line);) out.push_back(boost::json::parse(line));
    return out;
  }

  SmtpTarget target() const {
    SmtpTarget t;
    t.host = "127.0.0.1";
    t.port = port_;
    t.security = SmtpSecurity::none;
    t.mail_from = "alerts@example.com";
    t.recipients = {"ops@example.com", "oncall@example.com"};
    return t;
  }

  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
  fs::path dir_;
  fs::path out_;
};

TEST_F(Aiosmtpd, AGroupsMessageReachesEveryRecipient) {
  AlertGroup g;
  g.kind = NotificationKind::firing;
  g.now = core::from_unix(1795472966);
  g.public_url = "https://sentinel.example.com";
  for (int i = 1; i <= 3; ++i) {
    Notification n;
    n.event.id = i;
    n.event.rule_id = 7;
    n.event.rule_name = "Température élevée";
    n.event.severity = "critical";
    n.event.value = 91 + i;
    n.event.threshold = 90;
    n.event.labels = {{"instance", "10.0.0." + std::to_string(i) + ":9100"}};
    n.event.started_at = core::from_unix(1795472666);
    n.server_name = "web-" + std::to_string(i);
    g.alerts.push_back(n);
  }
  const std::string message =
      email_message(g, "Sentinel <alerts@example.com>", {"ops@example.com", "On call <oncall@example.com>"});
  const auto r = send_smtp(target(), message, std::chrono::milliseconds{10000});
  ASSERT_EQ(r.status, DeliveryStatus::delivered) << r.detail;

  const auto messages = received();
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0].as_object();
  EXPECT_EQ(m.at("mail_from").as_string(), "alerts@example.com");
  EXPECT_EQ(m.at("rcpt_tos"), boost::json::parse(R"(["ops@example.com", "oncall@example.com"])"));
  const std::string content(m.at("content").as_string());
  EXPECT_NE(content.find("Subject: =?UTF-8?B?"), std::string::npos) << content;
  // What Python's email package reads in it.
  EXPECT_EQ(m.at("subject").as_string(), "[FIRING:3] Température élevée");
  EXPECT_EQ(m.at("from").as_string(), "Sentinel <alerts@example.com>");
  EXPECT_EQ(m.at("to").as_string(), "ops@example.com, On call <oncall@example.com>");
  EXPECT_EQ(m.at("type").as_string(), "multipart/alternative");
  EXPECT_TRUE(m.at("defects").as_array().empty()) << boost::json::serialize(m.at("defects"));
  const auto& parts = m.at("parts").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].at("type").as_string(), "text/plain");
  EXPECT_EQ(parts[1].at("type").as_string(), "text/html");
  const std::string text(parts[0].at("text").as_string());
  EXPECT_NE(text.find("- web-3 (10.0.0.3:9100): 94 > 90 since 2026-11-23T22:24:26Z"), std::string::npos) << text;
  const std::string html(parts[1].at("text").as_string());
  EXPECT_NE(html.find("<a href=\"https://sentinel.example.com/events/2\">web-2 (10.0.0.2:9100)</a>"),
            std::string::npos)
      << html;
}

TEST_F(Aiosmtpd, StarttlsRequiredButNotOfferedFails) {
  auto t = target();
  t.security = SmtpSecurity::starttls;  // this aiosmtpd has no certificate, so no STARTTLS
  const auto r = send_smtp(t, "Subject: x\r\n\r\nx\r\n", std::chrono::milliseconds{10000});
  EXPECT_EQ(r.status, DeliveryStatus::failed) << r.detail;
  EXPECT_TRUE(received().empty());
}

}  // namespace
}  // namespace sentinel::notify
