import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { filterRows, firingByServer, joinNames, mergeFleet, rowWindow, sortRows, type FleetRow, type ServerInfo, type Summary } from "../src/lib/fleet";

function summary(id: number, up = true, cpu: number | null = 10, extra: Partial<Summary["metrics"]> = {}): Summary {
  return {
    server_id: id, instance: `h${id}:9100`, job_name: "node", timestamp: "2026-12-07T12:00:00Z", up,
    metrics: { cpu_usage_percent: cpu, memory_usage_percent: 50, disk_usage_percent: 60, load1: id / 10, ...extra },
  };
}

describe("mergeFleet", () => {
  it("a full frame replaces everything", () => {
    const before = mergeFleet(new Map(), { type: "fleet", servers: [summary(1), summary(2), summary(3)] });
    const after = mergeFleet(before, { type: "fleet", servers: [summary(4)] });
    assert.deepEqual([...after.keys()], [4]);
    assert.deepEqual([...before.keys()], [1, 2, 3], "the previous map is not modified");
  });
  it("a delta replaces changed rows, removes ids, keeps the others as they were", () => {
    const before = mergeFleet(new Map(), { type: "fleet", servers: [summary(1), summary(2), summary(3)] });
    const changed = summary(2, false, null);
    const after = mergeFleet(before, { type: "fleet", delta: true, servers: [changed, summary(5)], removed: [3] });
    assert.deepEqual([...after.keys()].sort(), [1, 2, 5]);
    assert.equal(after.get(2), changed);
    assert.equal(after.get(1), before.get(1), "an unchanged row keeps its identity");
    assert.equal(before.size, 3);
  });
  it("a delta without `removed` and an empty delta change nothing else", () => {
    const before = mergeFleet(new Map(), { type: "fleet", servers: [summary(1)] });
    const after = mergeFleet(before, { type: "fleet", delta: true, servers: [] });
    assert.deepEqual([...after.entries()], [...before.entries()]);
  });
  it("removing an unknown id is harmless", () => {
    const before = mergeFleet(new Map(), { type: "fleet", servers: [summary(1)] });
    assert.equal(mergeFleet(before, { type: "fleet", delta: true, servers: [], removed: [99] }).size, 1);
  });
});

describe("joinNames, filterRows, sortRows", () => {
  const names = new Map<number, ServerInfo>([
    [1, { id: 1, name: "web-10", instance: "h1:9100", job_name: "node" }],
    [2, { id: 2, name: "web-2", instance: "h2:9100", job_name: "node" }],
    [3, { id: 3, name: "db-1", instance: "h3:9100", job_name: "db" }],
  ]);
  const rows = joinNames(
    mergeFleet(new Map(), {
      type: "fleet",
      servers: [summary(1, true, 80), summary(2, false, null), summary(3, true, 20), summary(4, true, 50)],
    }),
    names,
  );
  const ids = (r: FleetRow[]) => r.map((x) => x.id);

  it("names each row, or shows its instance while the name is unknown", () => {
    assert.deepEqual(rows.map((r) => r.name), ["web-10", "web-2", "db-1", "h4:9100"]);
  });
  it("lists servers without values when asked (Prometheus unavailable), status unknown", () => {
    const none = joinNames(new Map(), names, true);
    assert.deepEqual(none.map((r) => [r.id, r.summary]), [[1, null], [2, null], [3, null]]);
    assert.deepEqual(ids(filterRows(none, "unknown")), [1, 2, 3]);
    const mixed = joinNames(mergeFleet(new Map(), { type: "fleet", servers: [summary(2)] }), names, true);
    assert.deepEqual(ids(sortRows(mixed, "cpu", "desc")), [2, 3, 1], "no values sort last");
    assert.deepEqual(ids(sortRows(mixed, "status", "asc")), [2, 3, 1]);
    assert.equal(joinNames(new Map(), names).length, 0);
  });
  it("filters on name, instance and job, every term, case-insensitive", () => {
    assert.deepEqual(ids(filterRows(rows, "WEB")), [1, 2]);
    assert.deepEqual(ids(filterRows(rows, "web h2")), [2]);
    assert.deepEqual(ids(filterRows(rows, "db")), [3]);
    assert.deepEqual(ids(filterRows(rows, "down")), [2]);
    assert.deepEqual(ids(filterRows(rows, "  ")), [1, 2, 3, 4]);
    assert.deepEqual(ids(filterRows(rows, "nothing-like-this")), []);
  });
  it("sorts by name naturally (web-2 before web-10)", () => {
    assert.deepEqual(ids(sortRows(rows, "name", "asc")), [3, 4, 2, 1]);
    assert.deepEqual(ids(sortRows(rows, "name", "desc")), [1, 2, 4, 3]);
  });
  it("sorts by a metric with missing values last in both directions", () => {
    assert.deepEqual(ids(sortRows(rows, "cpu", "desc")), [1, 4, 3, 2]);
    assert.deepEqual(ids(sortRows(rows, "cpu", "asc")), [3, 4, 1, 2]);
  });
  it("sorts by status (down first when ascending), ties by name", () => {
    assert.deepEqual(ids(sortRows(rows, "status", "asc")), [2, 3, 4, 1]);
    assert.deepEqual(ids(sortRows(rows, "load", "desc")), [4, 3, 2, 1]);
  });
  it("does not modify its input", () => {
    const copy = rows.slice();
    sortRows(rows, "cpu", "asc");
    assert.deepEqual(ids(rows), ids(copy));
  });
});

describe("firing alerts per server", () => {
  it("counts firing events by server, ignoring resolved ones and events without a server", () => {
    const counts = firingByServer([
      { server_id: 1, status: "firing" }, { server_id: 1, status: "firing" }, { server_id: 1, status: "resolved" },
      { server_id: 2, status: "firing" }, { server_id: null, status: "firing" },
    ]);
    assert.deepEqual([...counts.entries()], [[1, 2], [2, 1]]);
  });
});

describe("rowWindow", () => {
  it("at the top: the rows in view and the overscan below", () => {
    assert.deepEqual(rowWindow(1000, 200, 800, 40, 10), { first: 0, last: 25 });
  });
  it("scrolled into the table: overscan on both sides", () => {
    // The body started 4000 px above the viewport: rows 100..120 are in view.
    assert.deepEqual(rowWindow(1000, -4000, 800, 40, 10), { first: 90, last: 130 });
  });
  it("at the end and past it: clamped to the rows there are", () => {
    assert.deepEqual(rowWindow(1000, -39500, 800, 40, 10), { first: 977, last: 1000 });
    assert.deepEqual(rowWindow(1000, -80000, 800, 40, 10), { first: 1000, last: 1000 });
  });
  it("a table below the viewport renders no row; a zero height does not divide by zero", () => {
    assert.deepEqual(rowWindow(1000, 2000, 800, 40, 10), { first: 0, last: 0 });
    assert.deepEqual(rowWindow(50, 0, 800, 0, 10), { first: 0, last: 50 });
  });
});
