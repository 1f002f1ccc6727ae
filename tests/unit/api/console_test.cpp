// The web console's serving rules: hashed asset names from the content,
// index.html's placeholders, gzip when accepted, caching and security
// headers on every console response.
#include "api/console.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace sentinel;
using api::console::accepts_gzip;

namespace {

const std::array<core::EmbeddedFile, 5> files{{
    {"dist/index.html", "<link href=\"{{app.css}}\"><script src=\"{{app.js}}\"></script>"},
    {"dist/app.js", "console.log(1)"},
    {"dist/app.js.gz", "GZ-JS"},
    {"dist/app.css", "body{}"},
    {"dist/app.css.gz", "GZ-CSS"},
}};

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (http::iequals(k, name)) return v;
  return {};
}

void expect_security_headers(const http::Response& r) {
  const auto csp = header(r, "Content-Security-Policy");
  for (const char* part : {"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                           "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"})
    EXPECT_NE(csp.find(part), std::string::npos) << part << " missing from " << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
}

http::Request get(std::string accept_encoding = {}) {
  http::Request q;
  q.method = "GET";
  if (!accept_encoding.empty()) q.headers.emplace_back("Accept-Encoding", std::move(accept_encoding));
  return q;
}

}  // namespace

TEST(Console, AssetNamesCarryTheContentHashAndIndexHtmlPointsAtThem) {
  api::console::Assets assets(files);
  ASSERT_EQ(assets.assets().size(), 2u);
  const auto js = "app." + api::console::content_hash("console.log(1)") + ".js";
  const auto css = "app." + api::console::content_hash("body{}") + ".css";
  EXPECT_EQ(assets.assets()[0].hashed_name, js);
  EXPECT_EQ(assets.index_html(), "<link href=\"/assets/" + css + "\"><script src=\"/assets/" + js + "\"></script>");
  EXPECT_NE(assets.find(js), nullptr);
  EXPECT_EQ(assets.find("app.js"), nullptr);
  EXPECT_EQ(assets.find("app.0000000000000000.js"), nullptr);  // an old build's name
  // Another content, another name.
  EXPECT_NE(api::console::content_hash("console.log(1)"), api::console::content_hash("console.log(2)"));
  EXPECT_EQ(api::console::content_hash("").size(), 16u);
}

TEST(Console, PageIsIndexHtmlRevalidatedEveryTimeWithSecurityHeaders) {
  api::console::Assets assets(files);
  const auto r = api::console::page(assets, std::nullopt);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, assets.index_html());
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  expect_security_headers(r);
}

TEST(Console, AssetIsImmutableAndGzippedWhenAccepted) {
  api::console::Assets assets(files);
  const auto& js = assets.assets()[0].hashed_name;
  auto plain = api::console::asset(assets, js, get(), std::nullopt);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(plain, "Content-Encoding"), "");
  EXPECT_EQ(header(plain, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding");
  expect_security_headers(plain);

  auto gz = api::console::asset(assets, js, get("gzip, deflate, br"), std::nullopt);
  EXPECT_EQ(gz.body, "GZ-JS");
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(gz, "Vary"), "Accept-Encoding");

  auto css = api::console::asset(assets, assets.assets()[1].hashed_name, get("gzip"), std::nullopt);
  EXPECT_EQ(css.body, "GZ-CSS");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
}

TEST(Console, UnknownAssetIsAJsonNotFound) {
  api::console::Assets assets(files);
  for (const char* name : {"app.js", "app.0000000000000000.js", "../secret", ""}) {
    auto r = api::console::asset(assets, name, get("gzip"), std::nullopt);
    EXPECT_EQ(r.status, 404) << name;
    EXPECT_EQ(r.content_type, "application/json") << name;
    EXPECT_EQ(r.body, R"({"detail":"Not Found"})") << name;
    expect_security_headers(r);
  }
}

TEST(Console, AcceptEncodingGzipUnlessRefused) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("br, *"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
  EXPECT_FALSE(accepts_gzip(std::nullopt));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
}

TEST(Console, PolicyAllowsThePublicUrlsWebSocketOrigin) {
  const auto plain = api::console::content_security_policy(std::nullopt);
  EXPECT_NE(plain.find("connect-src 'self';"), std::string::npos) << plain;
  const auto tls = api::console::content_security_policy("https://sentinel.example.com");
  EXPECT_NE(tls.find("connect-src 'self' https://sentinel.example.com wss://sentinel.example.com;"), std::string::npos)
      << tls;
  const auto http = api::console::content_security_policy("http://10.0.0.5:8000");
  EXPECT_NE(http.find("connect-src 'self' http://10.0.0.5:8000 ws://10.0.0.5:8000;"), std::string::npos) << http;
}

TEST(Console, WithoutABuildTheConsoleSaysSo) {
  api::console::Assets none({});
  EXPECT_NE(none.index_html().find("no web console"), std::string::npos);
  EXPECT_TRUE(none.assets().empty());
}
