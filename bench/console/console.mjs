// bench/console's browser side (run by run.sh): the web console in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core, as
// tests/e2e) against a Sentinel whose fleet has HOSTS servers.
//   1. first load: every response of a cold load of /servers (signed in),
//      from the DevTools protocol's Network domain: bytes on the wire
//      (loadingFinished.encodedDataLength: headers + body as sent, gzip when
//      the browser's own Accept-Encoding allowed it), Content-Encoding;
//   2. navigation → every row showing values, RUNS times each in a fresh
//      context (empty cache) with no other /ws/fleet client, in a fresh
//      context while frames.py watches, and in one tab (cached assets) while
//      it watches; then jumps to the middle and the end of the table;
//   3. main-thread time per live update over WINDOW s (Performance.getMetrics
//      TaskDuration / ScriptDuration / Layout / RecalcStyle deltas, wall and
//      thread CPU time, divided by the /ws/fleet frames the page received;
//      long tasks from a PerformanceObserver), then a TRACE_WINDOW s Chrome
//      trace for the distribution per update;
//   4. JS heap after a forced GC (HeapProfiler.collectGarbage, then
//      Performance.getMetrics JSHeapUsedSize) 1 min after the values showed
//      and every minute until DURATION s.
// Env: SENTINEL_URL, TOKEN, HOSTS, RUNS, WINDOW, TRACE_WINDOW, DURATION,
// SETTLE, PARTS ("1 2 3"), FRAMES_PY and FRAMES (frames.py, the second
// client of parts 2b, 2c, 3 and 4, and its output: the rows each update
// carries), OUT (JSON), E2E_NODE_MODULES, CHROMIUM.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set (run through bench/console/run.sh)`);
  return v;
};
const require = createRequire(join(resolve(env("E2E_NODE_MODULES")), "noop.js"));
const { chromium } = require("playwright-core");

const BASE = env("SENTINEL_URL");
const TOKEN = env("TOKEN");
const HOSTS = Number(env("HOSTS", "1000"));
const RUNS = Number(env("RUNS", "7"));
const WINDOW = Number(env("WINDOW", "60"));
const TRACE_WINDOW = Number(env("TRACE_WINDOW", "15"));
const DURATION = Number(env("DURATION", "600"));
const SETTLE = Number(env("SETTLE", "3"));
const FRAMES = process.env.FRAMES;
const FRAMES_PY = process.env.FRAMES_PY;
const OUT = process.env.OUT;
const TOKEN_KEY = "sentinel.token"; // web/src/lib/session.ts

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};
const kib = (n) => (n / 1024).toFixed(1);
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const verdict = (ok) => (ok ? "met" : "NOT met");
const log = (...a) => console.log(...a);
// A table line: widths < 0 pad on the right (left-aligned), > 0 on the left.
const cols = (indent, widths, values) =>
  log(indent + values.map((v, i) => (widths[i] < 0 ? String(v).padEnd(-widths[i]) : String(v).padStart(widths[i]))).join(" "));

// Runs in the page before any of its scripts: the session's token in
// sessionStorage (a signed-in tab), a count of /ws/fleet frames (the
// listener is added before the console's own onmessage, so its time is the
// start of the frame's dispatch), long tasks, and a requestAnimationFrame
// check of the table that stops once every row shows values.
function pageProbe({ token, key, hosts }) {
  try {
    if (location.protocol.startsWith("http")) sessionStorage.setItem(key, token);
  } catch {
    /* about:blank */
  }
  const b = (window.__bench = {
    frames: 0, bytes: 0, wsCreated: null, wsOpen: null, firstFrame: null, firstFrameBytes: 0, longtasks: [], mark: false,
    rows: null, values: null, named: null, dom: null, ready: null, rendered: 0,
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {
    /* no long task API */
  }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes("/ws/fleet")) return;
      if (b.wsCreated === null) b.wsCreated = performance.now();
      this.addEventListener("open", () => {
        if (b.wsOpen === null) b.wsOpen = performance.now();
      });
      this.addEventListener("message", (e) => {
        const t = performance.now();
        b.frames++;
        b.bytes += e.data.length;
        if (b.firstFrame === null) {
          b.firstFrame = t;
          b.firstFrameBytes = e.data.length;
        }
        if (b.mark) performance.mark("bench-frame");
      });
    }
  };
  // "Every row showing values": the fleet table holds HOSTS rows (in the
  // page, or announced by aria-rowcount when only the rows near the viewport
  // are in the page), the CPU cell (third cell) of every row in the page
  // holds a percentage (.meter-text, not the "—" placeholder), every row in
  // the page is named by its server's name (before the names arrive a row
  // shows its instance, "bench-1:9100"), and those rows reach the bottom of
  // the viewport (or the end of the table).
  const check = () => {
    const now = performance.now();
    const table = document.querySelector("table.fleet");
    const tbody = table?.tBodies[0];
    const inPage = tbody ? tbody.querySelectorAll("tr:not([aria-hidden])") : [];
    const total = Math.max(inPage.length, Number(table?.getAttribute("aria-rowcount") ?? 0) - 1);
    if (tbody && inPage.length > 0 && total >= hosts) {
      if (b.rows === null) b.rows = now;
      const withValue = tbody.querySelectorAll("tr:not([aria-hidden]) > :nth-child(3) .meter-text").length;
      let named = 0;
      for (const a of tbody.querySelectorAll("tr:not([aria-hidden]) > th a")) if (!a.textContent.includes(":")) named++;
      if (b.values === null && withValue >= inPage.length) b.values = now;
      if (b.named === null && named >= inPage.length) b.named = now;
      if (b.values !== null && b.named !== null) {
        const last = inPage[inPage.length - 1].getBoundingClientRect().bottom;
        if (last >= Math.min(innerHeight, tbody.getBoundingClientRect().bottom) - 1) {
          // requestAnimationFrame callbacks run before the frame's style,
          // layout and paint: the rows show once that frame is done, i.e. at
          // the first task after it.
          b.dom = now;
          b.rendered = inPage.length;
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            b.ready = performance.now();
          };
          ch.port2.postMessage(null);
          return;
        }
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

async function newContext(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.addInitScript(pageProbe, { token: TOKEN, key: TOKEN_KEY, hosts: HOSTS });
  return context;
}

// Navigates and waits until every row shows values; the page's timings
// (ms from navigation start).
async function timedLoad(page, path) {
  await page.goto(BASE + path, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__bench?.ready != null, null, { timeout: 60000, polling: 250 });
  return page.evaluate(() => {
    const b = window.__bench;
    const nav = performance.getEntriesByType("navigation")[0];
    const res = (re) => performance.getEntriesByType("resource").find((e) => re.test(e.name))?.responseEnd ?? null;
    return {
      html: nav?.responseEnd ?? null, dcl: nav?.domContentLoadedEventEnd ?? null,
      js: res(/\/assets\/app\.[^/]*\.js/), css: res(/\/assets\/app\.[^/]*\.css/),
      me: res(/\/api\/v1\/auth\/me/), servers: res(/\/api\/v1\/servers\//),
      wsCreated: b.wsCreated, wsOpen: b.wsOpen, firstFrame: b.firstFrame, firstFrameBytes: b.firstFrameBytes,
      rows: b.rows, values: b.values, named: b.named, dom: b.dom, ready: b.ready, rendered: b.rendered,
      longtasks: b.longtasks.filter(([s]) => s <= b.ready),
    };
  });
}

// Jumps to the middle and to the end of the table: time until every row in
// the viewport shows values and no spacer row (standing in for rows not in
// the page) is in view.
async function scrollJumps(page) {
  const out = [];
  for (const at of [0.5, 1]) {
    out.push(await page.evaluate((at) => new Promise((resolve) => {
      const t0 = performance.now();
      let frames = 0;
      scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * at);
      const inView = (r) => {
        const box = r.getBoundingClientRect();
        return box.bottom > 0 && box.top < innerHeight && box.height > 0;
      };
      const check = () => {
        const tbody = document.querySelector("table.fleet").tBodies[0];
        const rows = [...tbody.querySelectorAll("tr:not([aria-hidden])")].filter(inView);
        const shown = rows.length > 0 && rows.every((r) => r.querySelector(":scope > :nth-child(3) .meter-text") &&
          !r.querySelector("th a").textContent.includes(":"));
        if (shown && ![...tbody.querySelectorAll("tr[aria-hidden]")].some(inView)) {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => resolve({ at, ms: performance.now() - t0, frames, rows: rows.length });
          ch.port2.postMessage(null);
          return;
        }
        frames++;
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }), at));
  }
  await page.evaluate(() => scrollTo(0, 0));
  return out;
}

// ---- 1. first load: bytes from the network ---------------------------------
async function firstLoad(browser) {
  const context = await newContext(browser);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const reqs = new Map();
  const get = (id) => reqs.get(id) ?? reqs.set(id, { id }).get(id);
  let wsFirst = null;
  cdp.on("Network.requestWillBeSent", (e) => Object.assign(get(e.requestId), { url: e.request.url, type: e.type }));
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    get(e.requestId).sent = e.headers;
  });
  cdp.on("Network.responseReceived", (e) => {
    const r = get(e.requestId);
    r.status = e.response.status;
    r.headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    r.cached = e.response.fromDiskCache || e.response.fromPrefetchCache || false;
    r.type = e.type ?? r.type;
  });
  cdp.on("Network.responseReceivedExtraInfo", (e) => {
    get(e.requestId).headerBytes = e.headersText?.length ?? null;
  });
  cdp.on("Network.dataReceived", (e) => {
    const r = get(e.requestId);
    r.decoded = (r.decoded ?? 0) + e.dataLength;
  });
  cdp.on("Network.loadingFinished", (e) => {
    get(e.requestId).wire = e.encodedDataLength;
  });
  cdp.on("Network.webSocketFrameReceived", (e) => {
    if (wsFirst === null) wsFirst = e.response.payloadData.length;
  });
  await cdp.send("Network.enable");
  const t = await timedLoad(page, "/servers");
  await sleep(500);
  await context.close();
  const list = [...reqs.values()].filter((r) => r.url && !r.url.startsWith("data:"));
  const rows = list.map((r) => {
    const path = new URL(r.url).pathname + new URL(r.url).search;
    return {
      path, type: r.type, status: r.status ?? null, encoding: r.headers?.["content-encoding"] ?? "identity",
      wire: r.wire ?? null, body: r.wire != null && r.headerBytes != null ? r.wire - r.headerBytes : null,
      decoded: r.decoded ?? null, acceptEncoding: r.sent?.["accept-encoding"] ?? r.sent?.["Accept-Encoding"] ?? null,
      cached: r.cached ?? false,
    };
  });
  const assets = rows.filter((r) => r.type === "Script" || r.type === "Stylesheet");
  const sum = (xs, k) => xs.reduce((a, r) => a + (r[k] ?? 0), 0);
  const out = {
    requests: rows, wsFirstFrameBytes: wsFirst, readyMs: t.ready,
    assetsWire: sum(assets, "wire"), assetsBody: sum(assets, "body"), assetsDecoded: sum(assets, "decoded"),
    allWire: sum(rows.filter((r) => r.type !== "WebSocket"), "wire"),
    assetsGzip: assets.length > 0 && assets.every((r) => r.encoding === "gzip"),
  };
  out.met = out.assetsGzip && out.assetsWire <= 150 * 1024;
  log("--- 1. first load of /servers (fresh context, signed in): responses as received");
  const w1 = [-44, -10, 6, -9, 10, 10, 10];
  cols("  ", w1, ["path", "type", "status", "encoding", "wire B", "body B", "decoded B"]);
  for (const r of rows)
    cols("  ", w1, [r.path.length > 44 ? r.path.slice(0, 41) + "..." : r.path, r.type, r.status ?? "", r.encoding,
      r.wire ?? "", r.body ?? "", r.decoded ?? ""]);
  const ae = assets.map((r) => r.acceptEncoding).filter(Boolean);
  log("  the browser's Accept-Encoding for the assets: %s", [...new Set(ae)].join(" | ") || "(not reported)");
  log("  first /ws/fleet frame: %s bytes (uncompressed WebSocket text)", wsFirst ?? "n/a");
  log("  JS + CSS on the wire: %s KiB (bodies %s KiB, %s KiB decoded); everything but the WebSocket: %s KiB",
    kib(out.assetsWire), kib(out.assetsBody), kib(out.assetsDecoded), kib(out.allWire));
  log("  target JS + CSS <= 150 KiB gzipped: %s", verdict(out.met));
  return out;
}

// ---- 2. navigation -> every row showing values ------------------------------
// A second /ws/fleet?delta=1 client (frames.py) writing to `out`: while it
// is connected Sentinel polls the fleet every period and hands a new client
// the latest full frame at once.
function startWatcher(out) {
  if (!FRAMES_PY) return null;
  const child = spawn("python3", [FRAMES_PY, "--sentinel", new URL(BASE).host, "--token", TOKEN, "--out", out],
    { stdio: ["ignore", "inherit", "inherit"] });
  process.on("exit", () => child.kill());
  return child;
}

async function timeToValues(browser) {
  log("");
  log(`--- 2. navigation -> ${HOSTS} rows showing values (ms from navigation start; ${RUNS} runs each)`);
  const fresh = async () => {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await newContext(browser);
      const page = await context.newPage();
      runs.push(await timedLoad(page, "/servers"));
      await context.close();
      await sleep(1000); // the closed page's WebSocket is gone: Sentinel stops polling when nobody watches
    }
    return runs;
  };
  const first = await fresh();
  const watcher = startWatcher(FRAMES ? `${FRAMES}.part2` : "/dev/null");
  let other, warm, jumps;
  try {
    await sleep(3000);
    other = await fresh();
    warm = [];
    const context = await newContext(browser);
    const page = await context.newPage();
    await timedLoad(page, "/servers"); // fills the cache
    for (let i = 0; i < RUNS; i++) {
      await sleep(500);
      // Alternate paths: both show the fleet; a same-URL navigation would be a reload.
      warm.push(await timedLoad(page, i % 2 ? "/servers" : "/"));
    }
    jumps = await scrollJumps(page);
    await context.close();
  } finally {
    watcher?.kill();
  }
  const show = (label, runs) => {
    log(`  ${label}`);
    const w2 = [-4, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8];
    cols("    ", w2, ["run", "html", "js", "dcl", "me", "servers", "ws", "ws open", "frame1", "rows", "values", "named",
      "shown", "longest"]);
    runs.forEach((r, i) => {
      const lt = r.longtasks.reduce((m, [, d]) => Math.max(m, d), 0);
      cols("    ", w2, [i + 1, ms(r.html), ms(r.js), ms(r.dcl), ms(r.me), ms(r.servers), ms(r.wsCreated), ms(r.wsOpen),
        ms(r.firstFrame), ms(r.rows), ms(r.values), ms(r.named), ms(r.ready), ms(lt)]);
    });
    log("    median: every row showing values at %s ms (min %s, max %s); of which from opening the WebSocket to its" +
      " first frame %s ms, from that frame to the rows shown %s ms", ms(median(runs.map((r) => r.ready))),
      ms(Math.min(...runs.map((r) => r.ready))), ms(Math.max(...runs.map((r) => r.ready))),
      ms(median(runs.map((r) => r.firstFrame - r.wsCreated))), ms(median(runs.map((r) => r.ready - r.firstFrame))));
  };
  show("a. fresh context (empty cache, token already in sessionStorage), the only viewer: Sentinel starts polling the" +
    " fleet when the page subscribes", first);
  show("b. fresh context, another /ws/fleet client connected: the latest fleet frame is sent at once", other);
  show("c. same tab again (cached assets), another client connected", warm);
  log("  (html/js/me/servers: responseEnd; ws: the console opens /ws/fleet; frame1: its first frame received; rows: the");
  log("   table holds %d rows; values: every CPU cell in the page a percentage; named: every row in the page named (both", HOSTS);
  log("   seen in a requestAnimationFrame callback); shown: the first task after that frame's style, layout and paint,");
  log("   once the rows in the page reach the bottom of the viewport; longest: longest task until then; all ms)");
  log("  rows in the page when shown: %s", [...new Set([...first, ...other, ...warm].map((r) => r.rendered))].join(", "));
  for (const j of jumps)
    log("  scrolled to %s of the table: rows in view showing values after %s ms (%d frames, %d rows in view)",
      j.at === 1 ? "the end" : `${j.at * 100} %`, ms(j.ms), j.frames, j.rows);
  const out = {
    first, other, warm, jumps, firstMedian: median(first.map((r) => r.ready)), otherMedian: median(other.map((r) => r.ready)),
    warmMedian: median(warm.map((r) => r.ready)),
  };
  out.met = out.firstMedian < 1500 && out.otherMedian < 1500 && out.warmMedian < 1500;
  log("  target < 1500 ms (median, every case): %s (a. %s ms, b. %s ms, c. %s ms)", verdict(out.met), ms(out.firstMedian),
    ms(out.otherMedian), ms(out.warmMedian));
  return out;
}

function framesBetween(t0, t1) {
  if (!FRAMES) return null;
  let lines;
  try {
    lines = readFileSync(FRAMES, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return null;
  }
  const f = lines.filter((x) => x.t >= t0 && x.t < t1 && x.delta);
  if (!f.length) return null;
  const mean = (k) => f.reduce((a, x) => a + x[k], 0) / f.length;
  return {
    frames: f.length, rows: mean("rows"), visible: mean("visible"), bytes: mean("bytes"),
    maxRows: Math.max(...f.map((x) => x.rows)), maxVisible: Math.max(...f.map((x) => x.visible)),
  };
}

async function metrics(cdp) {
  const { metrics: list } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function heap(cdp, page) {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const m = await metrics(cdp);
  const frames = await page.evaluate(() => window.__bench.frames);
  return { used: m.JSHeapUsedSize, total: m.JSHeapTotalSize, nodes: m.Nodes, listeners: m.JSEventListeners, frames };
}

// The main thread's top-level tasks in a Chrome trace, grouped by /ws/fleet
// frame: update k = every task from the one that dispatched frame k to the
// one that dispatched frame k + 1 (its parse, merge and render, the frames
// painted after it, timers and GC in between).
function perUpdate(trace) {
  const events = trace.traceEvents ?? trace;
  const marks = events.filter((e) => e.name === "bench-frame");
  if (!marks.length) return null;
  const pid = marks[0].pid;
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid && e.args?.name === "CrRendererMain");
  const tid = main ? main.tid : marks[0].tid;
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === "X" && typeof e.dur === "number");
  const top = [];
  let end = -Infinity;
  for (const e of onMain.filter((e) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask").sort((a, b) => a.ts - b.ts)) {
    if (e.ts >= end) {
      top.push(e);
      end = e.ts + e.dur;
    }
  }
  const sumIn = (name, a, b) => onMain.filter((e) => e.name === name && e.ts >= a && e.ts < b).reduce((s, e) => s + e.dur, 0);
  const starts = marks.map((m) => {
    const t = top.find((e) => e.ts <= m.ts && m.ts <= e.ts + e.dur);
    return { start: t ? t.ts : m.ts, task: t ? t.dur : 0 };
  }).sort((a, b) => a.start - b.start);
  const updates = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const a = starts[k].start;
    const b = starts[k + 1].start;
    const tasks = top.filter((e) => e.ts >= a && e.ts < b);
    updates.push({
      total: tasks.reduce((s, e) => s + e.dur, 0) / 1000,
      cpu: tasks.reduce((s, e) => s + (e.tdur ?? e.dur), 0) / 1000,
      message: starts[k].task / 1000,
      longest: tasks.reduce((m, e) => Math.max(m, e.dur), 0) / 1000,
      layout: sumIn("Layout", a, b) / 1000,
      style: sumIn("UpdateLayoutTree", a, b) / 1000,
      paint: (sumIn("Paint", a, b) + sumIn("PrePaint", a, b)) / 1000,
    });
  }
  return updates;
}

// ---- 3 and 4. a page left open: live updates, then memory ------------------
async function live(browser) {
  const watcher = FRAMES ? startWatcher(FRAMES) : null;
  try {
    return await liveParts(browser);
  } finally {
    watcher?.kill();
  }
}

async function liveParts(browser) {
  const context = await newContext(browser);
  const page = await context.newPage();
  // Durations in wall time (what the page's user waits, including time the
  // thread was not scheduled on this shared machine) and, through a second
  // session, in the main thread's CPU time.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
  const cpu = await context.newCDPSession(page);
  await cpu.send("Performance.enable", { timeDomain: "threadTicks" });
  const load = await timedLoad(page, "/servers");
  const t0 = Date.now(); // values showing: live updates from here
  const at = async (s) => {
    const wait = t0 + s * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
  };
  const samples = [];
  await at(60);
  samples.push({ at: (Date.now() - t0) / 1000, ...(await heap(cdp, page)) });

  // 3. main-thread time per update
  await sleep(SETTLE * 1000);
  const pageNow = () => page.evaluate(() => ({ now: performance.now(), frames: window.__bench.frames }));
  const m0 = await metrics(cdp);
  const c0 = await metrics(cpu);
  const p0 = await pageNow();
  const e0 = Date.now() / 1000;
  await sleep(WINDOW * 1000);
  const m1 = await metrics(cdp);
  const c1 = await metrics(cpu);
  const p1 = await pageNow();
  const e1 = Date.now() / 1000;
  const n = p1.frames - p0.frames;
  const d = (k, a = m0, b = m1) => ((b[k] ?? 0) - (a[k] ?? 0)) * 1000 / Math.max(1, n);
  const longtasks = (await page.evaluate(() => window.__bench.longtasks)).filter(([s]) => s >= p0.now && s < p1.now);
  const part3 = {
    window: WINDOW, updates: n, perUpdate: { task: d("TaskDuration"), script: d("ScriptDuration"), layout: d("LayoutDuration"),
      style: d("RecalcStyleDuration") },
    perUpdateCpu: { task: d("TaskDuration", c0, c1), script: d("ScriptDuration", c0, c1), layout: d("LayoutDuration", c0, c1),
      style: d("RecalcStyleDuration", c0, c1) },
    layoutsPerUpdate: ((m1.LayoutCount ?? 0) - (m0.LayoutCount ?? 0)) / Math.max(1, n),
    longtasks: longtasks.length, longestTask: longtasks.reduce((m, [, x]) => Math.max(m, x), 0),
    fleet: framesBetween(e0, e1),
  };
  // The distribution per update, from a trace.
  await page.evaluate(() => {
    window.__bench.mark = true;
  });
  await browser.startTracing(page, {
    categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing", "toplevel"],
  });
  await sleep(TRACE_WINDOW * 1000);
  const buf = await browser.stopTracing();
  await page.evaluate(() => {
    window.__bench.mark = false;
    performance.clearMarks("bench-frame");
  });
  let updates = null;
  try {
    updates = perUpdate(JSON.parse(buf.toString("utf8")));
  } catch (e) {
    log(`  (trace not usable: ${e.message})`);
  }
  if (updates?.length) {
    const col = (k) => updates.map((u) => u[k]);
    part3.trace = {
      updates: updates.length,
      total: { p50: median(col("total")), p90: quantile(col("total"), 0.9), max: Math.max(...col("total")) },
      cpu: { p50: median(col("cpu")), p90: quantile(col("cpu"), 0.9), max: Math.max(...col("cpu")) },
      message: { p50: median(col("message")), max: Math.max(...col("message")) },
      longest: Math.max(...col("longest")),
      layout: median(col("layout")), style: median(col("style")), paint: median(col("paint")),
    };
  }
  // The verdict is the untraced window's: tracing slows the page it watches.
  part3.met = part3.perUpdate.task < 50 && part3.longestTask <= 100;
  log("");
  log(`--- 3. live updates (WS_METRICS_INTERVAL_SEC=1), ${WINDOW} s window ${SETTLE} s after the 1-minute heap sample`);
  if (part3.fleet)
    log("  fleet frames (frames.py, same window): %d deltas, %s rows each on average (max %d), %s of them visibly changed" +
      " (max %d), %s KB", part3.fleet.frames, part3.fleet.rows.toFixed(0), part3.fleet.maxRows, part3.fleet.visible.toFixed(0),
      part3.fleet.maxVisible, (part3.fleet.bytes / 1000).toFixed(1));
  log("  frames the page received: %d; main thread per update (Performance.getMetrics deltas / frames):", n);
  log("    wall time: all tasks %s ms (script %s, layout %s, style %s; %s layouts per update)", ms(part3.perUpdate.task),
    ms(part3.perUpdate.script), ms(part3.perUpdate.layout), ms(part3.perUpdate.style), part3.layoutsPerUpdate.toFixed(2));
  log("    thread CPU time: all tasks %s ms (script %s, layout %s, style %s)", ms(part3.perUpdateCpu.task),
    ms(part3.perUpdateCpu.script), ms(part3.perUpdateCpu.layout), ms(part3.perUpdateCpu.style));
  log("  long tasks (> 50 ms) in the window: %s", part3.longtasks ? `${part3.longtasks}, longest ${ms(part3.longestTask)} ms` : "none");
  log("  (the trace below is slower than the untraced window above: tracing costs the page time)");
  if (part3.trace)
    log("  trace (%d s, %d updates): main-thread tasks per update p50 %s / p90 %s / max %s ms wall (%s / %s / %s ms CPU);" +
      " the frame's own task p50 %s, max %s ms; longest task %s ms; median layout %s, style %s, paint %s ms",
      TRACE_WINDOW, part3.trace.updates, ms(part3.trace.total.p50), ms(part3.trace.total.p90), ms(part3.trace.total.max),
      ms(part3.trace.cpu.p50), ms(part3.trace.cpu.p90), ms(part3.trace.cpu.max), ms(part3.trace.message.p50),
      ms(part3.trace.message.max), ms(part3.trace.longest), ms(part3.trace.layout), ms(part3.trace.style), ms(part3.trace.paint));
  log("  target < 50 ms per update (wall time) and no long task > 100 ms: %s", verdict(part3.met));

  // 4. memory: a sample a minute until DURATION
  for (let s = 120; s < DURATION; s += 60) {
    if ((Date.now() - t0) / 1000 > s) continue; // already past (short DURATION)
    await at(s);
    samples.push({ at: (Date.now() - t0) / 1000, ...(await heap(cdp, page)) });
  }
  await at(DURATION);
  samples.push({ at: (Date.now() - t0) / 1000, ...(await heap(cdp, page)) });
  const first = samples[0];
  const last = samples[samples.length - 1];
  const part4 = { samples, growth: (last.used - first.used) / first.used };
  part4.met = part4.growth <= 0.2;
  const allLong = (await page.evaluate(() => window.__bench.longtasks)).filter(([s]) => s > load.ready);
  part4.longtasksLive = allLong.length;
  part4.longestLive = allLong.reduce((m, [, x]) => Math.max(m, x), 0);
  await context.close();
  log("");
  log(`--- 4. page memory over ${DURATION} s of live updates (after forced GC)`);
  const w4 = [6, 7, 16, 14, 7, 10];
  cols("    ", w4, ["at s", "frames", "JS heap used", "heap total", "nodes", "listeners"]);
  for (const s of samples)
    cols("    ", w4, [s.at.toFixed(0), s.frames, `${(s.used / 1048576).toFixed(2)} MiB`,
      `${(s.total / 1048576).toFixed(2)} MiB`, s.nodes, s.listeners]);
  log("  JS heap at %s s vs %s s: %s%% (long tasks > 50 ms over the whole live period, forced GCs and tracing included: %d, longest %s ms)",
    last.at.toFixed(0), first.at.toFixed(0), (part4.growth * 100).toFixed(1), part4.longtasksLive, ms(part4.longestLive));
  log("  target growth <= 20 %%: %s", verdict(part4.met));
  return { part3, part4 };
}

const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const result = { chromium: browser.version(), hosts: HOSTS };
try {
  const parts = (process.env.PARTS ?? "1 2 3").split(/\s+/);
  if (parts.includes("1")) result.part1 = await firstLoad(browser);
  if (parts.includes("2")) result.part2 = await timeToValues(browser);
  if (parts.includes("3")) Object.assign(result, await live(browser));
} finally {
  await browser.close();
  if (OUT) writeFileSync(OUT, JSON.stringify(result, null, 1));
}
log("");
log(`summary (${HOSTS} servers):`);
const { part1: p1, part2: p2, part3: p3, part4: p4 } = result;
if (p1) log("  1. JS + CSS of the first load: %s KiB on the wire, gzip: %s (target <= 150 KiB): %s", kib(p1.assetsWire),
  p1.assetsGzip ? "yes" : "NO", verdict(p1.met));
if (p2) log("  2. navigation -> every row showing values, median: %s ms the only viewer, %s ms with another client," +
  " %s ms cached (target < 1500 ms): %s", ms(p2.firstMedian), ms(p2.otherMedian), ms(p2.warmMedian), verdict(p2.met));
if (p3) log("  3. main thread per live update: %s ms wall (%s ms CPU) over %d updates; longest task %s ms (target < 50 ms," +
  " none > 100 ms): %s", ms(p3.perUpdate.task), ms(p3.perUpdateCpu.task), p3.updates,
  p3.longtasks ? ms(p3.longestTask) : "none over 50", verdict(p3.met));
if (p4) log("  4. JS heap %s -> %s MiB from %s s to %s s: %s%% (target <= 20 %%): %s",
  (p4.samples[0].used / 1048576).toFixed(2), (p4.samples.at(-1).used / 1048576).toFixed(2), p4.samples[0].at.toFixed(0),
  p4.samples.at(-1).at.toFixed(0), (p4.growth * 100).toFixed(1), verdict(p4.met));
