import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasRole } from "../src/lib/api";
import { alignSeries, appendPoint, rangeQuery } from "../src/lib/history";
import { backoff, wsUrl } from "../src/lib/live";
import { parseRoute } from "../src/lib/router";
import { safePath } from "../src/lib/session";

describe("routes", () => {
  it("parses the console's paths", () => {
    assert.deepEqual(parseRoute("/"), { page: "servers" });
    assert.deepEqual(parseRoute("/servers/"), { page: "servers" });
    assert.deepEqual(parseRoute("/servers/12"), { page: "server", id: 12 });
    assert.deepEqual(parseRoute("/events"), { page: "events" });
    assert.deepEqual(parseRoute("/servers/x"), { page: "not_found" });
    assert.deepEqual(parseRoute("/events?status=firing&server=3"), { page: "events" });
    assert.deepEqual(parseRoute("/events/42"), { page: "event", id: 42 });
  });
  it("returns only to a same-origin path", () => {
    assert.equal(safePath("/servers/3"), "/servers/3");
    assert.equal(safePath("//evil.example/"), "/");
    assert.equal(safePath("https://evil.example/"), "/");
  });
});

describe("roles", () => {
  it("a role includes those below it", () => {
    assert.equal(hasRole({ role: "admin" }, "editor"), true);
    assert.equal(hasRole({ role: "editor" }, "editor"), true);
    assert.equal(hasRole({ role: "viewer" }, "editor"), false);
    assert.equal(hasRole(null, "viewer"), false);
  });
});

describe("live connection", () => {
  it("uses ws: or wss: like the page", () => {
    assert.equal(wsUrl("/ws/fleet?delta=1", { protocol: "http:", host: "h:8000" }), "ws://h:8000/ws/fleet?delta=1");
    assert.equal(wsUrl("/ws/events", { protocol: "https:", host: "h" }), "wss://h/ws/events");
  });
  it("waits longer after each failure, at most 15 s", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map(backoff), [1000, 2000, 4000, 8000, 15000, 15000]);
  });
});

describe("history", () => {
  it("asks for about 300 points", () => {
    assert.deepEqual(rangeQuery(3600, 1_800_000_000_000), { start: 1_799_996_400, end: 1_800_000_000, step: 15 });
    assert.equal(rangeQuery(7 * 86400, 0).step, 2016);
  });
  it("aligns several metrics on one time axis", () => {
    assert.deepEqual(alignSeries([[[1, 10], [2, 20]], [[2, 5], [3, 6]]]), [[1, 2, 3], [10, 20, null], [null, 5, 6]]);
  });
  it("appends a live point and drops what left the window", () => {
    const d = alignSeries([[[100, 1], [200, 2]]]);
    assert.deepEqual(appendPoint(d, 250, [3], 100), [[200, 250], [2, 3]]);
    assert.equal(appendPoint(d, 200, [9], 100), d, "a point not newer than the last is ignored");
  });
});
