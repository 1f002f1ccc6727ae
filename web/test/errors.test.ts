import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, describeError, fieldErrors, FORM } from "../src/lib/errors";

describe("fieldErrors: 422 detail[].loc → form fields", () => {
  it("maps body fields to their messages", () => {
    const detail = [
      { loc: ["body", "threshold"], msg: "Input should be a valid number", type: "float_parsing" },
      { loc: ["body", "name"], msg: "Field required", type: "missing" },
    ];
    assert.deepEqual(fieldErrors(detail), { threshold: "Input should be a valid number", name: "Field required" });
  });
  it("joins several messages of one field, and a nested location belongs to its field", () => {
    const detail = [
      { loc: ["body", "promql"], msg: "parse error" },
      { loc: ["body", "promql"], msg: "uses $instance" },
      { loc: ["body", "labels", "team"], msg: "bad label" },
    ];
    assert.deepEqual(fieldErrors(detail), { promql: "parse error; uses $instance", labels: "bad label" });
  });
  it("a location without a field, or a field the form lacks, goes to the form", () => {
    const detail = [
      { loc: ["body"], msg: "JSON decode error" },
      { loc: ["body", "channel_ids"], msg: "unknown channel" },
      { loc: ["body", "name"], msg: "too long" },
    ];
    assert.deepEqual(fieldErrors(detail, ["name"]), { [FORM]: "JSON decode error; channel_ids: unknown channel", name: "too long" });
  });
  it("a string detail is a form message; garbage is ignored safely", () => {
    assert.deepEqual(fieldErrors("Server name already exists"), { [FORM]: "Server name already exists" });
    assert.deepEqual(fieldErrors(null), {});
    assert.deepEqual(fieldErrors([{}]), { [FORM]: "Invalid value" });
  });
});

describe("describeError", () => {
  it("prefers the server's words", () => {
    assert.equal(describeError(409, "Server name already exists"), "Server name already exists");
    assert.equal(describeError(422, [{ loc: ["body", "instance"], msg: "must be host:port" }]), "instance: must be host:port");
  });
  it("says what happened in words otherwise", () => {
    assert.match(describeError(0, null), /cannot be reached/);
    assert.match(describeError(403, null), /permission/);
    assert.match(describeError(503, null), /HTTP 503/);
    assert.equal(new ApiError(404, null).message, "Not found.");
  });
});

import { EMPTY_RULE, formToBody, ruleToForm, type Rule } from "../src/lib/rules";

describe("rule form → body", () => {
  it("sends numbers as numbers, a fleet rule as server_id null, and text the server will refuse as typed", () => {
    const body = formToBody({ ...EMPTY_RULE, name: "High CPU", promql: "up", threshold: "90", for_sec: "300", server: "" });
    assert.equal(body.threshold, 90);
    assert.equal(body.for_sec, 300);
    assert.equal(body.server_id, null);
    assert.equal(body.recovery_threshold, null);
    assert.equal(body.metric_name, "high_cpu");
    assert.equal(formToBody({ ...EMPTY_RULE, threshold: "ninety" }).threshold, "ninety");
    assert.equal("threshold" in formToBody({ ...EMPTY_RULE, threshold: " " }), false, "missing: the server says it is required");
    assert.equal(formToBody({ ...EMPTY_RULE, server: "7" }).server_id, 7);
  });
  it("sends its channels, and empty grouping values as null (the server's default)", () => {
    const body = formToBody({ ...EMPTY_RULE, channel_ids: [3, 1], group_wait_sec: "", group_interval_sec: " 600 " });
    assert.deepEqual(body.channel_ids, [3, 1]);
    assert.equal(body.group_wait_sec, null);
    assert.equal(body.group_interval_sec, 600);
    assert.equal(formToBody({ ...EMPTY_RULE, group_wait_sec: "soon" }).group_wait_sec, "soon");
  });
});

describe("rule → form", () => {
  it("reads channels and grouping, and a rule from before them", () => {
    const rule = { id: 1, name: "r", server_id: null, metric_name: "m", promql: "up", threshold: 1, comparison: ">", for_sec: 0,
      recovery_threshold: null, severity: "warning", channel: "none", description: null, state: "inactive", last_error: null,
      last_evaluated_at: null, last_value: null, is_active: true } as Rule;
    const old = ruleToForm(rule);
    assert.deepEqual([old.channel_ids, old.group_wait_sec, old.group_interval_sec], [[], "", ""]);
    const v = ruleToForm({ ...rule, channel_ids: [4], group_wait_sec: 0, group_interval_sec: null });
    assert.deepEqual([v.channel_ids, v.group_wait_sec, v.group_interval_sec], [[4], "0", ""]);
  });
});

import { conditionText, isEverySeries, pairsToText, textToPairs } from "../src/lib/rules";

describe("rules without a threshold (every series, Prometheus style)", () => {
  const base = { id: 2, name: "gone", server_id: null, metric_name: "m", promql: "absent(up)", threshold: null, comparison: null, for_sec: 0,
    recovery_threshold: null, severity: "critical", channel: "none", description: null, state: "inactive", last_error: null,
    last_evaluated_at: null, last_value: null, is_active: true } as Rule;
  it("says its condition in words, never \"null\"", () => {
    assert.equal(conditionText(base), "every series");
    assert.equal(conditionText({ comparison: ">", threshold: 1 }), "> 1");
    assert.equal(conditionText({ comparison: null, threshold: 4 }), "> 4", "a threshold alone compares with >");
    assert.equal(conditionText({}), "every series");
    assert.equal(isEverySeries(base), true);
    assert.equal(isEverySeries({ comparison: "<", threshold: 0 }), false);
  });
  it("reads into the form as the every-series choice, and goes back as nulls", () => {
    const v = ruleToForm({ ...base, summary: "{{ $labels.instance }} is gone", labels: { team: "ops" }, annotations: { runbook_url: "https://x/?a=b" },
      keep_firing_for_sec: 60, rule_group: "host" });
    assert.equal(v.condition, "every");
    assert.equal(v.threshold, "");
    assert.deepEqual([v.summary, v.labels, v.annotations, v.keep_firing_for_sec], ["{{ $labels.instance }} is gone", "team=ops", "runbook_url=https://x/?a=b", "60"]);
    const body = formToBody({ ...v, threshold: "5", recovery_threshold: "3", loaded: undefined }); // as a new rule
    assert.deepEqual([body.threshold, body.comparison, body.recovery_threshold], [null, null, null], "hidden threshold fields are not sent");
    assert.deepEqual(body.labels, { team: "ops" });
    assert.deepEqual(body.annotations, { runbook_url: "https://x/?a=b" });
    assert.equal(body.keep_firing_for_sec, 60);
    assert.equal(body.summary, "{{ $labels.instance }} is gone");
  });
  it("a threshold rule sends its comparison; empty summary and pairs as null and {}", () => {
    const body = formToBody({ ...EMPTY_RULE, threshold: "1" });
    assert.deepEqual([body.comparison, body.threshold, body.summary, body.labels, body.annotations, body.keep_firing_for_sec], [">", 1, null, {}, {}, 0]);
  });
  it("reads name=value lines, split at the first =, and names the lines without one", () => {
    assert.deepEqual(textToPairs(" team = ops \n\nurl=https://x/?a=b\nnonsense\n=v"), { pairs: { team: "ops", url: "https://x/?a=b" }, bad: ["nonsense", "=v"] });
    assert.equal(pairsToText({ a: "1", b: "x=y" }), "a=1\nb=x=y");
    assert.equal(pairsToText(undefined), "");
  });
});

describe("rule form: what an edit keeps", () => {
  const rule = { id: 3, name: "r", server_id: null, metric_name: "m", promql: "up", threshold: null, comparison: null, for_sec: 0,
    recovery_threshold: null, severity: "warning", channel: "none", description: "line one\nline two\n", summary: "{{ $value }}\n",
    labels: { team: "ops" }, annotations: { details: "a\nb", runbook_url: "https://x" }, state: "inactive", last_error: null,
    last_evaluated_at: null, last_value: null, is_active: true } as Rule;
  it("sends templates as typed and leaves unchanged or multi-line pairs out", () => {
    const v = ruleToForm(rule);
    assert.deepEqual(v.loaded?.locked, ["annotations"]);
    const body = formToBody(v);
    assert.equal(body.description, "line one\nline two\n");
    assert.equal(body.summary, "{{ $value }}\n");
    assert.equal("labels" in body, false, "unchanged: kept as stored");
    assert.equal("annotations" in body, false, "a multi-line value cannot be edited as lines");
    assert.deepEqual(formToBody({ ...v, labels: "team=db" }).labels, { team: "db" });
    assert.equal(formToBody({ ...v, summary: "  " }).summary, null);
  });
});
