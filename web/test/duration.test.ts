import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { choiceMs, formatDuration, parseDuration, presetLabel, silenceLengthError } from "../src/lib/duration";

describe("durations", () => {
  it("reads the forms Alertmanager users type", () => {
    assert.equal(parseDuration("90m"), 90 * 60_000);
    assert.equal(parseDuration("2h30m"), 9_000_000);
    assert.equal(parseDuration(" 1d 12h "), 36 * 3_600_000);
    assert.equal(parseDuration("1W"), 7 * 86_400_000);
    assert.equal(parseDuration("45s"), 45_000);
  });
  it("refuses anything else", () => {
    for (const bad of ["", "2", "h", "2x", "1.5h", "-1h", "0h", "2h 30", "1e3h", "99999999999999999999d"])
      assert.equal(parseDuration(bad), null, bad);
  });
  it("says why a silence length is refused", () => {
    assert.equal(silenceLengthError("2h"), null);
    assert.match(silenceLengthError("soon")!, /90m/);
    assert.match(silenceLengthError("30s")!, /at least one minute/);
    assert.match(silenceLengthError("400d")!, /at most a year/);
  });
  it("formats with the two largest units", () => {
    assert.equal(formatDuration(9_000_000), "2 h 30 min");
    assert.equal(formatDuration(36 * 3_600_000 + 5_000), "1 d 12 h");
    assert.equal(formatDuration(0), "0 s");
  });
});

describe("silence length choices", () => {
  it("a preset is hours; custom is the typed length, when valid", () => {
    assert.equal(choiceMs({ preset: "4", custom: "" }), 4 * 3_600_000);
    assert.equal(choiceMs({ preset: "custom", custom: "2h30m" }), 9_000_000);
    assert.equal(choiceMs({ preset: "custom", custom: "30s" }), null);
    assert.equal(choiceMs({ preset: "custom", custom: "tomorrow" }), null);
    assert.equal(presetLabel(4), "4 h");
    assert.equal(presetLabel(72), "3 d");
  });
});
