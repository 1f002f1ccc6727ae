#include "api/console.hpp"

#include <cstdint>

#include "http/responses.hpp"

namespace sentinel::api::console {

namespace {

std::string content_type_for(std::string_view name) {
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// "app.js" + hash → "app.<hash>.js".
std::string hashed(std::string_view name, std::string_view hash) {
  const auto dot = name.rfind('.');
  return std::string(name.substr(0, dot)) + "." + std::string(hash) + std::string(name.substr(dot));
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// q=0 (0, 0.0, 0.000) refuses a coding; anything else accepts it.
bool q_is_zero(std::string_view params) {
  const auto q = lower(params).find("q=");
  if (q == std::string::npos) return false;
  auto v = trim(std::string_view(params).substr(q + 2));
  if (v.empty() || v.front() != '0') return false;
  v.remove_prefix(1);
  if (!v.empty() && v.front() == '.') v.remove_prefix(1);
  for (char c : v) {
    if (c == ';' || c == ' ' || c == '\t') break;
    if (c != '0') return false;
  }
  return true;
}

void add_security_headers(http::Response& r, const std::optional<std::string>& public_url) {
  r.set_header("Content-Security-Policy", content_security_policy(public_url));
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("X-Frame-Options", "DENY");
}

constexpr std::string_view index_missing =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sentinel</title></head><body>"
    "<h1>Sentinel</h1><p>This build has no web console (web/ was not built). The API is at "
    "<a href=\"/docs\">/docs</a>.</p></body></html>";

}  // namespace

std::string content_hash(std::string_view content) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : content) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 0; i < 16; ++i) out[15 - i] = hex[(h >> (4 * i)) & 0xf];
  return out;
}

Assets::Assets(std::span<const core::EmbeddedFile> files) {
  auto find_file = [&](std::string_view name) -> std::optional<std::string_view> {
    for (const auto& f : files) {
      const auto slash = f.name.rfind('/');
      if ((slash == std::string_view::npos ? f.name : f.name.substr(slash + 1)) == name) return f.content;
    }
    return std::nullopt;
  };
  auto index = find_file("index.html");
  index_html_ = index ? std::string(*index) : std::string(index_missing);
  for (std::string_view name : {"app.js", "app.css"}) {
    auto plain = find_file(name);
    if (!plain) continue;
    Asset a;
    a.name = std::string(name);
    a.hashed_name = hashed(name, content_hash(*plain));
    a.content_type = content_type_for(name);
    a.plain = *plain;
    a.gzip = find_file(std::string(name) + ".gz").value_or(std::string_view{});
    replace_all(index_html_, "{{" + a.name + "}}", "/assets/" + a.hashed_name);
    assets_.push_back(std::move(a));
  }
}

const Asset* Assets::find(std::string_view file) const {
  for (const auto& a : assets_)
    if (a.hashed_name == file) return &a;
  return nullptr;
}

bool accepts_gzip(std::optional<std::string_view> accept_encoding) {
  if (!accept_encoding) return false;
  std::string_view rest = *accept_encoding;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto semi = item.find(';');
    const auto coding = lower(trim(item.substr(0, semi)));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    return semi == std::string_view::npos || !q_is_zero(item.substr(semi + 1));
  }
  return false;
}

std::string content_security_policy(const std::optional<std::string>& public_url) {
  std::string connect = "'self'";
  if (public_url) {
    // https://host → wss://host, http://host → ws://host.
    const bool tls = public_url->starts_with("https://");
    connect += " " + *public_url + " " + (tls ? "wss://" : "ws://") + public_url->substr(tls ? 8 : 7);
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
         "connect-src " + connect + "; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}

http::Response page(const Assets& assets, const std::optional<std::string>& public_url) {
  http::Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = assets.index_html();
  r.set_header("Cache-Control", "no-cache");
  add_security_headers(r, public_url);
  return r;
}

http::Response asset(const Assets& assets, std::string_view file, const http::Request& request,
                     const std::optional<std::string>& public_url) {
  const Asset* a = assets.find(file);
  http::Response r;
  if (!a) {
    r = http::error_response(core::Error::not_found("Not Found"));
  } else {
    r.content_type = a->content_type;
    const bool gzip = !a->gzip.empty() && accepts_gzip(request.header("Accept-Encoding"));
    r.body = std::string(gzip ? a->gzip : a->plain);
    if (gzip) r.set_header("Content-Encoding", "gzip");
    r.set_header("Cache-Control", "public, max-age=31536000, immutable");
    r.set_header("Vary", "Accept-Encoding");
  }
  add_security_headers(r, public_url);
  return r;
}

}  // namespace sentinel::api::console
