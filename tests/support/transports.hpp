#pragma once
// Both outbound HTTP transports, so that tests of what they share run
// against each: libcurl's HttpClient and Beast's KeepAliveClient.
#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "http_client/http_client.hpp"
#include "http_client/keep_alive_client.hpp"

namespace sentinel::test {

enum class TransportKind { curl, keep_alive };

// A transport for requests to http://127.0.0.1:<port>.
inline std::unique_ptr<http_client::Transport> make_transport(TransportKind kind, boost::asio::any_io_executor ex,
                                                              std::uint16_t port) {
  if (kind == TransportKind::curl) return std::make_unique<http_client::HttpClient>(std::move(ex));
  auto origin = http_client::plain_http_origin("http://127.0.0.1:" + std::to_string(port));
  return std::make_unique<http_client::KeepAliveClient>(std::move(ex), std::move(*origin));
}

inline std::string transport_name(const testing::TestParamInfo<TransportKind>& info) {
  return info.param == TransportKind::curl ? "Curl" : "KeepAlive";
}

}  // namespace sentinel::test
