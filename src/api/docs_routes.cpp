// /openapi.json and /docs: the API description and Swagger UI, compiled
// into the binary (no CDN, works offline).
#include <span>

#include "api/handlers.hpp"
#include "api/services.hpp"
#include "core/embedded_file.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"

namespace sentinel::api::docs {
std::span<const core::EmbeddedFile> embedded_files();
}

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

std::string content_type_for(std::string_view name) {
  if (name.ends_with(".json")) return "application/json";
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

Response file_response(std::string_view key) {
  auto content = core::find_embedded(docs::embedded_files(), key);
  if (!content) return http::error_response(core::Error::not_found("Not Found"));
  Response r;
  r.content_type = content_type_for(key);
  r.body = std::string(*content);
  r.set_header("Cache-Control", key.ends_with(".html") || key.ends_with(".json") ? "no-cache" : "public, max-age=86400");
  return r;
}

// /docs/<file> → the embedded key: our own files live in "docs_assets/",
// Swagger UI's come from the npm package "swagger-ui-dist/".
std::string asset_key(std::string_view file) {
  for (const auto& f : docs::embedded_files()) {
    const auto slash = f.name.find('/');
    if (f.name.substr(slash + 1) == file && f.name.substr(0, slash) != "openapi") return std::string(f.name);
  }
  return {};
}

}  // namespace

namespace docs_api {

boost::asio::awaitable<Response> openapi(Services&, Request&) { co_return file_response("openapi/openapi.json"); }

boost::asio::awaitable<Response> index(Services&, Request&) {
  Response res = file_response(asset_key("index.html"));
  // Only our own origin may provide scripts and styles on this page.
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'");
  co_return res;
}

boost::asio::awaitable<Response> asset(Services&, Request& q) {
  co_return file_response(asset_key(q.path_param("file").value_or("")));
}

}  // namespace docs_api

}  // namespace sentinel::api
