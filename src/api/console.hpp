#pragma once
// The web console (web/, built by web/build.mjs and compiled into the
// binary): index.html for every page path, the JS and CSS bundle under
// hashed names, and the security headers of every console response.
// Transport-free: tested without sockets (tests/unit/api/console_test.cpp).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/embedded_file.hpp"
#include "http/message.hpp"

namespace sentinel::api::console {

// One bundle file: its content, its gzip variant (built at build time), and
// the URL it is served at ("/assets/app.<hash>.js").
struct Asset {
  std::string name;          // "app.js"
  std::string hashed_name;   // "app.3f2a9c0e1b7d4a65.js"
  std::string content_type;  // "text/javascript; charset=utf-8"
  std::string_view plain;
  std::string_view gzip;     // empty when no .gz was embedded
};

// The console's files, hashed once when built (at startup). `files` are
// the embedded build outputs, named "<dir>/index.html", "<dir>/app.js",
// "<dir>/app.js.gz", "<dir>/app.css", "<dir>/app.css.gz". index.html's
// placeholders {{app.js}} and {{app.css}} become the hashed URLs, so a new
// build is a new URL and an asset can be cached for a year.
class Assets {
 public:
  explicit Assets(std::span<const core::EmbeddedFile> files);

  const std::string& index_html() const { return index_html_; }
  // The asset served as `file` ("app.<hash>.js"); nullptr for anything
  // else, an outdated hash included.
  const Asset* find(std::string_view file) const;
  const std::vector<Asset>& assets() const { return assets_; }

 private:
  std::string index_html_;
  std::vector<Asset> assets_;
};

// 16 hex digits of a 64-bit FNV-1a hash: enough to tell builds apart (a
// cache key, not a security measure).
std::string content_hash(std::string_view content);

// True when Accept-Encoding allows gzip (a "gzip" or "*" coding whose q is
// not 0).
bool accepts_gzip(std::optional<std::string_view> accept_encoding);

// The console's Content-Security-Policy: only its own origin for scripts,
// styles, connections (WebSockets included) and images (plus data: images);
// no framing, no <base>, forms only to itself. With PUBLIC_URL its ws(s)://
// origin is listed too, for browsers whose 'self' does not cover WebSockets.
std::string content_security_policy(const std::optional<std::string>& public_url);

// GET of a console page: index.html, never cached without revalidation.
http::Response page(const Assets& assets, const std::optional<std::string>& public_url);

// GET /assets/{file}: the asset (its gzip variant when accepted), cached
// for a year as immutable; 404 (JSON) for an unknown name or an old hash.
http::Response asset(const Assets& assets, std::string_view file, const http::Request& request,
                     const std::optional<std::string>& public_url);

}  // namespace sentinel::api::console
