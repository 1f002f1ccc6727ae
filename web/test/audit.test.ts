import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANY_AUDIT, auditQuery, changeLines } from "../src/lib/audit";

describe("audit log", () => {
  const now = Date.parse("2026-12-07T12:00:00.250Z");
  it("asks the API for the filters that are set", () => {
    assert.equal(auditQuery(ANY_AUDIT, now), "/api/v1/audit/?skip=0&limit=100");
    assert.equal(auditQuery({ actor: "3", action: "rule.update", target_type: "rule", since: "24" }, now, 100),
      "/api/v1/audit/?skip=100&limit=100&actor_id=3&action=rule.update&target_type=rule&since=2026-12-06T12%3A00%3A00Z");
  });
  it("shows each change as old → new, secrets as the API masks them", () => {
    assert.deepEqual(changeLines({ name: ["web-1", "web-2"], password_hash: ["***", "***"], threshold: [null, 90] }),
      ["name: web-1 → web-2", "password_hash: *** → ***", "threshold: — → 90"]);
    assert.deepEqual(changeLines(null), []);
  });
  it("shows a creation's values without an old side", () => {
    assert.deepEqual(changeLines({ name: [null, "db-1"], description: [null, null] }, "server.create"), ["name: db-1", "description: —"]);
    assert.deepEqual(changeLines({ description: [null, "x"] }, "server.update"), ["description: — → x"]);
  });
});
