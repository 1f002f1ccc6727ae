import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../src/lib/errors";
import { conditionSentence } from "../src/lib/events";
import { countsText, importable, importFailure, importPath, type ImportReport } from "../src/lib/rulefiles";

const report = (counts: Partial<ImportReport["counts"]>, written = false): ImportReport => ({
  dry_run: !written, partial: false, written, rules: [],
  counts: { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, ...counts },
});

describe("rule file import", () => {
  it("asks for a dry run or the real thing, partial or not", () => {
    assert.equal(importPath(true, false), "/api/v1/alerts/rules/import?dry_run=true&partial=false");
    assert.equal(importPath(false, true), "/api/v1/alerts/rules/import?dry_run=false&partial=true");
  });
  it("says the counts as what would be done, or what was", () => {
    assert.equal(countsText(report({ created: 2, skipped: 1 })), "2 to create, 1 to skip");
    assert.equal(countsText(report({ created: 2, updated: 1 }, true)), "2 created, 1 updated");
    assert.equal(countsText(report({})), "no rules");
    assert.equal(importable(report({ created: 2, updated: 1, unchanged: 4 })), 3);
  });
  it("reads a 422 with a report (failed rules), a malformed file, 413 and 503", () => {
    const rejected = report({ created: 1, failed: 2 });
    const f = importFailure(new ApiError(422, [{ loc: ["body", "groups", 0, "rules", 1, "expr"], msg: "line 7: bad" }], { detail: [], report: rejected }));
    assert.equal(f.report, rejected);
    assert.match(f.message, /^2 rules cannot be imported; nothing was written/);
    const bad = importFailure(new ApiError(422, [{ loc: ["body"], msg: "line 3, column 5: mapping values are not allowed" }], { detail: [] }));
    assert.equal(bad.report, null);
    assert.deepEqual(bad.details, ["line 3, column 5: mapping values are not allowed"]);
    assert.match(importFailure(new ApiError(413, "too large")).message, /1 MiB/);
    assert.match(importFailure(new ApiError(503, "Prometheus unavailable: connection refused")).message, /^Prometheus unavailable: connection refused/);
  });
});

describe("an event's condition", () => {
  it("is a comparison, or every series for a rule without one", () => {
    assert.equal(conditionSentence({ comparison: ">", threshold: 0.1 }), "fires when > 0.10");
    assert.equal(conditionSentence({ comparison: null, threshold: null }), "fires for every series the query returns");
  });
});
