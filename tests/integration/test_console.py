"""The web console as served by a real `sentinel`: index.html for every page path
(history-API routing) with no-cache, hashed assets cached for a year, their gzip
variants, the security headers, and API paths that keep their JSON answers."""
import gzip
import http.client
import re
import unittest

from harness import Sentinel

S = None


def setUpModule():
    global S
    S = Sentinel({"PUBLIC_URL": "https://sentinel.example.com/"}).start()


def tearDownModule():
    S.stop()
    S.close()


def raw_get(path, headers=None):
    """(status, headers dict with lower-case names, body bytes): the body unchanged."""
    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def asset_urls():
    r = S.request("GET", "/")
    return re.findall(r'(?:src|href)="(/assets/app\.[0-9a-f]{16}\.(?:js|css))"', r.body)


class Console(unittest.TestCase):
    def assert_security_headers(self, headers):
        csp = headers["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                     "connect-src 'self' https://sentinel.example.com wss://sentinel.example.com",
                     "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
            self.assertIn(part, csp)
        self.assertNotIn("unsafe", csp)
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertEqual(headers["referrer-policy"], "no-referrer")
        self.assertEqual(headers["x-frame-options"], "DENY")

    def test_every_page_path_answers_index_html(self):
        pages = ["/", "/servers", "/servers/12", "/rules/", "/events", "/audit", "/no/such/page", "/metricsx"]
        bodies = set()
        for path in pages:
            status, headers, body = raw_get(path)
            self.assertEqual(status, 200, path)
            self.assertEqual(headers["content-type"], "text/html; charset=utf-8", path)
            self.assertEqual(headers["cache-control"], "no-cache", path)
            self.assert_security_headers(headers)
            bodies.add(body)
        self.assertEqual(len(bodies), 1, "one index.html for every page")
        html = bodies.pop().decode()
        self.assertIn('<div id="app">', html)
        self.assertNotIn("{{", html, "placeholders replaced")
        self.assertNotIn("<script>", html, "no inline script")
        self.assertNotIn("style=", html, "no inline style")
        self.assertNotRegex(html, r'(src|href)="(https?:)?//', "nothing from elsewhere")
        self.assertEqual(len(asset_urls()), 2, html)

    def test_head_of_a_page(self):
        c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
        c.request("HEAD", "/servers")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.read(), b"")
        c.close()

    def test_assets_are_immutable_with_gzip_variants(self):
        for url in asset_urls():
            status, plain_headers, plain = raw_get(url)
            self.assertEqual(status, 200, url)
            self.assertEqual(plain_headers["cache-control"], "public, max-age=31536000, immutable")
            self.assertEqual(plain_headers["vary"], "Accept-Encoding")
            self.assertNotIn("content-encoding", plain_headers)
            self.assert_security_headers(plain_headers)
            kind = "text/javascript" if url.endswith(".js") else "text/css"
            self.assertTrue(plain_headers["content-type"].startswith(kind), plain_headers)

            status, gz_headers, packed = raw_get(url, {"Accept-Encoding": "gzip, deflate, br"})
            self.assertEqual(status, 200)
            self.assertEqual(gz_headers["content-encoding"], "gzip")
            self.assertEqual(gz_headers["vary"], "Accept-Encoding")
            self.assertLess(len(packed), len(plain))
            self.assertEqual(gzip.decompress(packed), plain)

            _, refused, body = raw_get(url, {"Accept-Encoding": "gzip;q=0"})
            self.assertNotIn("content-encoding", refused)
            self.assertEqual(body, plain)

    def test_first_load_is_small(self):
        total = sum(len(raw_get(u, {"Accept-Encoding": "gzip"})[2]) for u in asset_urls())
        self.assertLess(total, 150 * 1024, "JS + CSS gzipped within the 150 KiB budget")

    def test_unknown_or_outdated_asset_is_a_json_404(self):
        for path in ("/assets/app.0000000000000000.js", "/assets/app.js", "/assets/x/y"):
            r = S.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.json(), {"detail": "Not Found"}, path)

    def test_api_and_other_owned_paths_keep_their_answers(self):
        for path in ("/api/unknown", "/api/v1/nothing", "/api", "/ws/unknown", "/docs/unknown.js", "/metrics/x",
                     "/openapi.json/x"):
            r = S.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.header("Content-Type"), "application/json", path)
            self.assertEqual(r.json(), {"detail": "Not Found"}, path)
        self.assertEqual(S.request("GET", "/api/v1/health/liveness").json(), {"status": "ok"})
        self.assertEqual(S.request("GET", "/openapi.json").header("Content-Type"), "application/json")
        self.assertIn("text/html", S.request("GET", "/docs").header("Content-Type"))
        self.assertEqual(S.request("GET", "/api/v1/servers/").status, 401)
        self.assertEqual(S.request("GET", "/ws/fleet").status, 426)

    def test_other_methods_on_a_page_path_are_not_found(self):
        r = S.request("POST", "/servers", {})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"detail": "Not Found"})

    def test_routes_lists_the_console_apart_from_the_api(self):
        import json
        import subprocess
        from harness import BIN
        rows = json.loads(subprocess.run([BIN, "routes"], capture_output=True, text=True, check=True).stdout)
        console = sorted((r["method"], r["path"], r["role"]) for r in rows if r["transport"] == "console")
        self.assertEqual(console, [("GET", "/assets/{file}", "public"), ("GET", "/{path...}", "public")])

    def test_check_config_shows_public_url(self):
        out = S.cli("check-config").stdout
        self.assertIn("PUBLIC_URL=https://sentinel.example.com\n", out)


if __name__ == "__main__":
    unittest.main()
