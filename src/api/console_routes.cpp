// The web console's routes (api/routes.cpp): its files, built from web/ and
// compiled in (web/web.cmake), hashed once at startup.
#include <span>

#include "api/console.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/embedded_file.hpp"

namespace sentinel::api::console_files {
std::span<const core::EmbeddedFile> embedded_files();
}

namespace sentinel::api::console_api {

namespace {

// Built from constant data on first use, then only read.
const console::Assets& assets() {
  static const console::Assets built(console_files::embedded_files());
  return built;
}

}  // namespace

void prepare() { assets(); }

boost::asio::awaitable<http::Response> page(Services& s, http::Request&) {
  co_return console::page(assets(), s.config.public_url);
}

boost::asio::awaitable<http::Response> asset(Services& s, http::Request& q) {
  co_return console::asset(assets(), q.path_param("file").value_or(""), q, s.config.public_url);
}

}  // namespace sentinel::api::console_api
