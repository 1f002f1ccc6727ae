// For working on the console without rebuilding Sentinel: serves dist/ (run
// `node build.mjs` after each change) the way Sentinel does (index.html for
// every page path, the same security headers) and passes /api/, /ws/,
// /docs and /openapi.json to a running Sentinel.
//   node dev-server.mjs [--port 5173] [--api http://127.0.0.1:8000]
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const port = Number(option("--port", "5173"));
const api = new URL(option("--api", "http://127.0.0.1:8000"));
const dist = join(here, "dist");

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const security = { "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY" };
const proxied = (path) => /^\/(api|ws|docs|openapi\.json|metrics)(\/|$)/.test(path);

const server = http.createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (proxied(path)) {
    const up = http.request({ host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on("error", () => { res.writeHead(502); res.end("Sentinel unreachable"); });
    req.pipe(up);
    return;
  }
  const asset = /^\/assets\/(app)\.dev\.(js|css)$/.exec(path);
  try {
    if (asset) {
      res.writeHead(200, { ...security, "Content-Type": asset[2] === "js" ? "text/javascript" : "text/css", "Cache-Control": "no-cache" });
      res.end(readFileSync(join(dist, `app.${asset[2]}`)));
    } else {
      const html = readFileSync(join(dist, "index.html"), "utf8").replace("{{app.js}}", "/assets/app.dev.js").replace("{{app.css}}", "/assets/app.dev.css");
      res.writeHead(200, { ...security, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(html);
    }
  } catch {
    res.writeHead(500);
    res.end("run `node build.mjs` first");
  }
});

// WebSockets: the upgrade is passed through as raw bytes.
server.on("upgrade", (req, socket, head) => {
  const up = net.connect(Number(api.port), api.hostname, () => {
    up.write(`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
    up.write(head);
    socket.pipe(up).pipe(socket);
  });
  up.on("error", () => socket.destroy());
  socket.on("error", () => up.destroy());
});

server.listen(port, "127.0.0.1", () => console.log(`console on http://127.0.0.1:${port}/ (API: ${api.origin})`));
