import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  exactUtc, formatBytes, formatBytesPerSecond, formatLoad, formatMetric, formatPercent, formatUptime, relativeTime,
} from "../src/lib/format";

const NOW = Date.parse("2026-12-07T12:00:00Z");

describe("relativeTime", () => {
  it("says how long ago, in whole units rounded down", () => {
    assert.equal(relativeTime("2026-12-07T12:00:00Z", NOW), "just now");
    assert.equal(relativeTime("2026-12-07T11:59:58Z", NOW), "just now");
    assert.equal(relativeTime("2026-12-07T11:59:18Z", NOW), "42 s ago");
    assert.equal(relativeTime("2026-12-07T11:57:00Z", NOW), "3 min ago");
    assert.equal(relativeTime("2026-12-07T11:56:01Z", NOW), "3 min ago");
    assert.equal(relativeTime("2026-12-07T07:00:00Z", NOW), "5 h ago");
    assert.equal(relativeTime("2026-12-05T11:00:00Z", NOW), "2 d ago");
  });
  it("says 'in' for a time ahead", () => {
    assert.equal(relativeTime("2026-12-07T12:03:00Z", NOW), "in 3 min");
    assert.equal(relativeTime("2026-12-08T13:00:00Z", NOW), "in 1 d");
    assert.equal(relativeTime(NOW / 1000 + 4 * 3600 - 1, NOW), "in 4 h", "a 4 h silence made a second ago");
  });
  it("accepts Unix seconds and Dates; a dash for nothing", () => {
    assert.equal(relativeTime(NOW / 1000 - 120, NOW), "2 min ago");
    assert.equal(relativeTime(new Date(NOW - 7200_000), NOW), "2 h ago");
    assert.equal(relativeTime(null, NOW), "—");
    assert.equal(relativeTime("not a time", NOW), "—");
  });
});

describe("exactUtc", () => {
  it("gives the exact UTC time for a title", () => {
    assert.equal(exactUtc("2026-12-07T07:39:13Z"), "2026-12-07 07:39:13 UTC");
    assert.equal(exactUtc("2026-12-07T08:39:13.250+01:00"), "2026-12-07 07:39:13 UTC");
    assert.equal(exactUtc(undefined), "—");
  });
});

describe("numbers with units", () => {
  it("percent", () => {
    assert.equal(formatPercent(12.345), "12.3 %");
    assert.equal(formatPercent(0), "0.0 %");
    assert.equal(formatPercent(100), "100.0 %");
    assert.equal(formatPercent(null), "—");
    assert.equal(formatPercent(Number.NaN), "—");
  });
  it("bytes and bytes per second, binary units", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(10 * 1024 * 1024), "10 MiB");
    assert.equal(formatBytes(250 * 1024 ** 3), "250 GiB");
    assert.equal(formatBytesPerSecond(1234), "1.21 KiB/s");
    assert.equal(formatBytesPerSecond(0), "0 B/s");
    assert.equal(formatBytesPerSecond(null), "—");
  });
  it("load with two decimals", () => {
    assert.equal(formatLoad(0.4), "0.40");
    assert.equal(formatLoad(12), "12.00");
    assert.equal(formatLoad(undefined), "—");
  });
  it("uptime in its two largest units", () => {
    assert.equal(formatUptime(30), "30 s");
    assert.equal(formatUptime(42 * 60 + 5), "42 min");
    assert.equal(formatUptime(5 * 3600 + 12 * 60), "5 h 12 min");
    assert.equal(formatUptime(3 * 3600), "3 h");
    assert.equal(formatUptime(86400 * 3 + 4 * 3600 + 59), "3 d 4 h");
    assert.equal(formatUptime(86400), "1 d");
    assert.equal(formatUptime(-1), "—");
  });
  it("a summary metric by its key", () => {
    assert.equal(formatMetric("cpu_usage_percent", 50), "50.0 %");
    assert.equal(formatMetric("network_receive_bytes_per_second", 2048), "2 KiB/s");
    assert.equal(formatMetric("memory_usage_bytes", 2048), "2 KiB");
    assert.equal(formatMetric("uptime_seconds", 90), "1 min");
    assert.equal(formatMetric("load5", 1.5), "1.50");
  });
});
