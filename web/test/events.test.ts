import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { filterEvents, silenceFor, upsertEvent, type AlertEvent } from "../src/lib/events";

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
  it("filters by status, severity and rule name", () => {
    const list = [ev(1), ev(2, { status: "resolved" }), ev(3, { severity: "critical", rule_name: "Disk full" })];
    assert.deepEqual(filterEvents(list, { status: "firing", severity: "", text: "" }).map((e) => e.id), [1, 3]);
    assert.deepEqual(filterEvents(list, { status: "", severity: "critical", text: "" }).map((e) => e.id), [3]);
    assert.deepEqual(filterEvents(list, { status: "", severity: "", text: "DISK" }).map((e) => e.id), [3]);
  });
  it("silences the event's rule and server for the chosen hours", () => {
    const s = silenceFor(ev(1), 4, Date.parse("2026-12-07T12:00:00.500Z"));
    assert.deepEqual(s, { rule_id: 1, server_id: 2, starts_at: "2026-12-07T12:00:00Z", ends_at: "2026-12-07T16:00:00Z",
      comment: "Silenced from the console: rule 1" });
  });
});
