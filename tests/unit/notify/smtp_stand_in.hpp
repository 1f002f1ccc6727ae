#pragma once
// A scripted SMTP server on 127.0.0.1 for smtp_sender's tests: it serves
// one session in a thread, answers each command with the reply set for its
// verb, and records what it received. Speaks just enough of RFC 5321 for
// libcurl (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT); no TLS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace sentinel::notify::testing {

class SmtpStandIn {
 public:
  // Replies by verb ("MAIL", "RCPT", "DATA" (after the message), "AUTH");
  // unset ones are 250 (AUTH: 235). `greet` false: accept and say nothing.
  explicit SmtpStandIn(std::map<std::string, std::string> replies = {}, bool greet = true)
      : replies_(std::move(replies)), greet_(greet) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpStandIn() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
  }
  SmtpStandIn(const SmtpStandIn&) = delete;
  SmtpStandIn& operator=(const SmtpStandIn&) = delete;

  std::uint16_t port() const { return port_; }
  // After the client is done (the destructor has joined): the command lines and the DATA.
  const std::vector<std::string>& commands() const { return commands_; }
  const std::string& data() const { return data_; }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    if (!greet_) {
      char sink[256];
      while (::recv(fd, sink, sizeof sink, 0) > 0) {
      }
      ::close(fd);
      return;
    }
    send(fd, "220 stand-in ESMTP\r\n");
    std::string buffer;
    bool in_data = false;
    bool awaiting_credentials = false;
    while (true) {
      char chunk[4096];
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      if (in_data) {
        const auto end = buffer.find("\r\n.\r\n");
        if (end == std::string::npos) continue;
        data_ = buffer.substr(0, end + 2);
        buffer.erase(0, end + 5);
        in_data = false;
        send(fd, reply("DATA", "250 2.0.0 queued") + "\r\n");
      }
      std::size_t eol;
      while (!in_data && (eol = buffer.find("\r\n")) != std::string::npos) {
        const std::string line = buffer.substr(0, eol);
        buffer.erase(0, eol + 2);
        if (!awaiting_credentials) commands_.push_back(line);
        const std::string verb = line.substr(0, 4);
        if (verb == "EHLO") {
          send(fd, "250-stand-in\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
        } else if (line == "AUTH PLAIN") {  // no initial response: ask for it, record it with the command
          send(fd, "334 \r\n");
          awaiting_credentials = true;
        } else if (awaiting_credentials || verb == "AUTH") {
          if (awaiting_credentials) commands_.back() = "AUTH PLAIN " + line;
          awaiting_credentials = false;
          send(fd, reply("AUTH", "235 2.7.0 ok") + "\r\n");
        } else if (verb == "MAIL" || verb == "RCPT") {
          send(fd, reply(verb, "250 2.1.0 ok") + "\r\n");
        } else if (verb == "DATA") {
          send(fd, "354 go ahead\r\n");
          in_data = true;
        } else if (verb == "QUIT") {
          send(fd, "221 bye\r\n");
          ::close(fd);
          return;
        } else {
          send(fd, "250 ok\r\n");
        }
      }
    }
    ::close(fd);
  }

  std::string reply(const std::string& verb, const std::string& fallback) const {
    const auto it = replies_.find(verb);
    return it == replies_.end() ? fallback : it->second;
  }
  static void send(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

  std::map<std::string, std::string> replies_;
  bool greet_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::string> commands_;
  std::string data_;
};

}  // namespace sentinel::notify::testing
