import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activeSilence, ANY_EVENT, eventsQuery, filterEvents, filterFromSearch, filterToSearch, silenceFor, upsertEvent, type AlertEvent } from "../src/lib/events";

const ev = (id: number, over: Partial<AlertEvent> = {}): AlertEvent => ({
  id, rule_id: 1, server_id: 2, rule_name: `rule ${id}`, status: "firing", severity: "warning", value: 1, threshold: 0,
  comparison: ">", message: null, started_at: "2026-12-07T12:00:00Z", resolved_at: null, notification_status: "sent",
  acknowledged: false, created_at: "2026-12-07T12:00:00Z", ...over,
});

describe("events timeline", () => {
  it("a live event goes on top; a change replaces its row", () => {
    let list = [ev(2), ev(1)];
    list = upsertEvent(list, ev(3));
    assert.deepEqual(list.map((e) => e.id), [3, 2, 1]);
    list = upsertEvent(list, ev(2, { status: "resolved" }));
    assert.deepEqual(list.map((e) => [e.id, e.status]), [[3, "firing"], [2, "resolved"], [1, "firing"]]);
    assert.equal(upsertEvent(list, ev(4), 2).length, 2);
  });
  it("filters by status, severity, server and rule", () => {
    const list = [ev(1), ev(2, { status: "resolved" }), ev(3, { severity: "critical", server_id: 7 }), ev(4, { rule_id: 9, server_id: null })];
    const ids = (f: Partial<typeof ANY_EVENT>) => filterEvents(list, { ...ANY_EVENT, ...f }).map((e) => e.id);
    assert.deepEqual(ids({ status: "firing" }), [1, 3, 4]);
    assert.deepEqual(ids({ severity: "critical" }), [3]);
    assert.deepEqual(ids({ server: "7" }), [3]);
    assert.deepEqual(ids({ rule: "9" }), [4]);
    assert.deepEqual(ids({}), [1, 2, 3, 4]);
  });
  it("asks the API for status, server and rule, not severity", () => {
    assert.equal(eventsQuery(ANY_EVENT), "/api/v1/alerts/events/?limit=200");
    assert.equal(eventsQuery({ status: "firing", severity: "critical", server: "7", rule: "9" }, 50),
      "/api/v1/alerts/events/?limit=50&status=firing&server_id=7&rule_id=9");
  });
  it("keeps the filter in the address, ignoring what is not a filter", () => {
    const f = { status: "firing" as const, severity: "critical", server: "3", rule: "" };
    assert.equal(filterToSearch(f), "?status=firing&severity=critical&server=3");
    assert.deepEqual(filterFromSearch(filterToSearch(f)), f);
    assert.deepEqual(filterFromSearch("?status=open&severity=loud&server=x&rule=12"), { ...ANY_EVENT, rule: "12" });
    assert.equal(filterToSearch(ANY_EVENT), "");
  });
  it("silences the event's rule and server for the chosen length", () => {
    const s = silenceFor(ev(1), 4 * 3_600_000, Date.parse("2026-12-07T12:00:00.500Z"));
    assert.deepEqual(s, { rule_id: 1, server_id: 2, starts_at: "2026-12-07T12:00:00Z", ends_at: "2026-12-07T16:00:00Z",
      comment: "Silenced from the console: rule 1" });
  });
  it("finds the active silence that mutes an event", () => {
    const now = Date.parse("2026-12-07T12:00:00Z");
    const w = (server_id: number | null, rule_id: number | null, from: string, to: string) =>
      ({ server_id, rule_id, starts_at: `2026-12-07T${from}:00Z`, ends_at: `2026-12-07T${to}:00Z` });
    const e = { rule_id: 1, server_id: 2 };
    assert.equal(activeSilence(e, [w(3, null, "11:00", "13:00"), w(null, 9, "11:00", "13:00")], now), null);
    assert.equal(activeSilence(e, [w(2, 1, "12:30", "13:00"), w(2, 1, "10:00", "11:00")], now), null);
    const longer = w(null, 1, "11:00", "15:00");
    assert.equal(activeSilence(e, [w(2, null, "11:00", "13:00"), longer], now), longer);
  });
});
