#pragma once
// Outbound HTTP for Telegram, webhooks and an https:// Prometheus: libcurl's
// multi interface driven by the Asio event loop. No thread per request and
// no blocking of an I/O thread; connections are kept alive and reused
// across requests (curl's connection cache), TLS is verified, proxies are
// honoured. A plain http:// Prometheus goes through KeepAliveClient instead.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "http_client/transport.hpp"

namespace sentinel::http_client {

class HttpClient final : public Transport {
 public:
  // All curl work runs on a strand of `executor`; awaiting coroutines are
  // resumed on their own executor.
  explicit HttpClient(boost::asio::any_io_executor executor);
  ~HttpClient();  // pending transfers complete with FailureKind::aborted
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<Outcome> send(Request request) override;
  void shutdown() override;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sentinel::http_client
