import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CHANNEL_TYPES, channelErrorFields, channelToForm, createBody, EMPTY_CHANNEL, parseSetting, patchBody, SETTINGS,
  settingsSummary, testOutcome, visibleSettings, withSetting, type Channel, type ChannelFormValues,
} from "../src/lib/channels";
import { fieldErrors } from "../src/lib/errors";
import { withNotifications, type AlertEvent } from "../src/lib/events";
import { parseRoute } from "../src/lib/router";

const channel = (over: Partial<Channel>): Channel => ({
  id: 3, name: "ops", type: "telegram", settings: {}, send_resolved: true, default_for_severities: [],
  created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", ...over,
});

const typed = (v: ChannelFormValues, settings: Record<string, string>): ChannelFormValues =>
  Object.entries(settings).reduce((acc, [k, text]) => withSetting(acc, k, text), v);

describe("channel settings per type", () => {
  it("has §9's types and keys, secrets as the API masks them", () => {
    assert.deepEqual([...CHANNEL_TYPES], ["telegram", "webhook", "slack", "discord", "email", "pagerduty", "alertmanager", "ntfy"]);
    const keys = (t: keyof typeof SETTINGS) => SETTINGS[t].map((s) => `${s.key}${s.required ? "" : "?"}${s.secret ? "*" : ""}`);
    assert.deepEqual(keys("telegram"), ["bot_token*", "chat_id", "message_thread_id?", "api_url?"]);
    assert.deepEqual(keys("webhook"), ["url*", "bearer_token?*", "username?", "password?*"]);
    assert.deepEqual(keys("slack"), ["webhook_url*"]);
    assert.deepEqual(keys("discord"), ["webhook_url*"]);
    assert.deepEqual(keys("email"), ["smtp_host", "smtp_port", "security", "username?", "password?*", "from", "to"]);
    assert.deepEqual(keys("pagerduty"), ["routing_key*", "api_url?"]);
    assert.deepEqual(keys("alertmanager"), ["urls"]);
    assert.deepEqual(keys("ntfy"), ["url", "token?*"]);
  });
  it("shows a webhook's bearer token or its basic auth, never both", () => {
    const keys = (a: "none" | "bearer" | "basic") => visibleSettings("webhook", a).map((s) => s.key);
    assert.deepEqual(keys("none"), ["url"]);
    assert.deepEqual(keys("bearer"), ["url", "bearer_token"]);
    assert.deepEqual(keys("basic"), ["url", "username", "password"]);
    assert.deepEqual(channelErrorFields("webhook", "bearer").slice(-2), ["settings.url", "settings.bearer_token"]);
  });
  it("parses numbers and lists, and keeps what is not one as typed for the server to name", () => {
    const port = SETTINGS.email[1];
    const to = SETTINGS.email[6];
    assert.equal(parseSetting(port, " 587 "), 587);
    assert.equal(parseSetting(port, "smtp"), "smtp");
    assert.equal(parseSetting(port, "2.5"), "2.5");
    assert.equal(parseSetting(port, " "), undefined);
    assert.deepEqual(parseSetting(to, "a@example.com\n\n b@example.com ,c@example.com\n"), ["a@example.com", "b@example.com", "c@example.com"]);
    assert.equal(parseSetting(to, "\n \n"), undefined);
    assert.equal(parseSetting(SETTINGS.email[4], " pass word "), " pass word ", "a password is sent as typed");
    assert.equal(parseSetting(SETTINGS.telegram[0], " 123:abc \n"), "123:abc");
  });
});

describe("channel form → create body", () => {
  it("sends the chosen type's typed settings only", () => {
    let v: ChannelFormValues = { ...EMPTY_CHANNEL, name: " ops slack ", type: "telegram" };
    v = typed(v, { bot_token: "123:abc", chat_id: "@ops" });
    v = { ...v, type: "slack" };
    v = typed(v, { webhook_url: "https://hooks.slack.com/services/T/B/x" });
    v = { ...v, default_for_severities: ["critical", "info"] };
    assert.deepEqual(createBody(v), {
      name: "ops slack", type: "slack", settings: { webhook_url: "https://hooks.slack.com/services/T/B/x" },
      send_resolved: true, default_for_severities: ["info", "critical"],
    });
  });
  it("an email channel: port as a number, recipients as a list, the default security", () => {
    const v = typed({ ...EMPTY_CHANNEL, name: "mail", type: "email" },
      { smtp_host: "smtp.example.com", from: "sentinel@example.com", to: "a@example.com\nb@example.com" });
    assert.deepEqual(createBody(v).settings, {
      smtp_host: "smtp.example.com", smtp_port: 587, security: "starttls", from: "sentinel@example.com", to: ["a@example.com", "b@example.com"],
    });
  });
  it("a webhook sends only the chosen authentication; a missing required key is left for the server to name", () => {
    let v = typed({ ...EMPTY_CHANNEL, name: "wh", type: "webhook", auth: "bearer" }, { bearer_token: "t", username: "u", password: "p" });
    assert.deepEqual(createBody(v).settings, { bearer_token: "t" });
    v = { ...v, auth: "basic" };
    assert.deepEqual(createBody(v).settings, { username: "u", password: "p" });
  });
});

describe("channel form → PATCH body", () => {
  const stored = channel({
    type: "telegram", settings: { bot_token: "***", chat_id: "@ops", message_thread_id: 7 },
    default_for_severities: ["critical"],
  });

  it("shows a stored secret as empty and sends nothing when nothing changed", () => {
    const v = channelToForm(stored);
    assert.equal(v.settings["telegram.bot_token"], "", "the form never holds the placeholder");
    assert.equal(v.settings["telegram.message_thread_id"], "7");
    assert.deepEqual(patchBody(v, stored), {});
  });
  it("a rename sends the name alone: secrets are kept by being left out, never sent as ***", () => {
    const body = patchBody({ ...channelToForm(stored), name: "ops-2" }, stored);
    assert.deepEqual(body, { name: "ops-2" });
    assert.ok(!JSON.stringify(body).includes("***"));
  });
  it("sends a secret when one is typed, and null for an emptied optional setting", () => {
    const v = typed(channelToForm(stored), { bot_token: "new:token", message_thread_id: "", chat_id: "@ops" });
    assert.deepEqual(patchBody(v, stored), { settings: { bot_token: "new:token", message_thread_id: null } });
  });
  it("changes severities and send_resolved", () => {
    const v = { ...channelToForm(stored), default_for_severities: ["warning", "critical"], send_resolved: false };
    assert.deepEqual(patchBody(v, stored), { send_resolved: false, default_for_severities: ["warning", "critical"] });
  });
  it("a webhook moving from a bearer token to basic auth removes the token", () => {
    const wh = channel({ type: "webhook", settings: { url: "***", bearer_token: "***" } });
    const v = channelToForm(wh);
    assert.equal(v.auth, "bearer");
    const basic = typed({ ...v, auth: "basic" }, { username: "u", password: "p" });
    assert.deepEqual(patchBody(basic, wh), { settings: { bearer_token: null, username: "u", password: "p" } });
    assert.deepEqual(patchBody({ ...v, auth: "none" }, wh), { settings: { bearer_token: null } });
    const fromBasic = channel({ type: "webhook", settings: { url: "***", username: "u", password: "***" } });
    assert.equal(channelToForm(fromBasic).auth, "basic");
    assert.deepEqual(patchBody({ ...channelToForm(fromBasic), auth: "none" }, fromBasic), { settings: { username: null, password: null } });
  });
  it("removes a stored optional secret only when asked", () => {
    const n = channel({ type: "ntfy", settings: { url: "https://ntfy.sh/ops", token: "***" } });
    assert.deepEqual(patchBody(channelToForm(n), n), {});
    assert.deepEqual(patchBody({ ...channelToForm(n), remove: ["token"] }, n), { settings: { token: null } });
  });
  it("a new type sends its whole settings, the type and nothing of the old one", () => {
    const v = typed({ ...channelToForm(stored), type: "slack" }, { webhook_url: "https://hooks.example/x" });
    assert.deepEqual(patchBody(v, stored), { type: "slack", settings: { webhook_url: "https://hooks.example/x" } });
  });
  it("lists compare by value", () => {
    const am = channel({ type: "alertmanager", settings: { urls: ["http://am1:9093", "http://am2:9093"] } });
    assert.deepEqual(patchBody(channelToForm(am), am), {});
    assert.deepEqual(patchBody(typed(channelToForm(am), { urls: "http://am1:9093" }), am), { settings: { urls: ["http://am1:9093"] } });
  });
});

describe("channel as a viewer reads it", () => {
  it("says a secret is set without showing it", () => {
    const c = channel({ type: "email", settings: { smtp_host: "smtp", smtp_port: 587, security: "tls", password: "***", username: "u", from: "f@x.io", to: ["a@x.io", "b@x.io"] } });
    assert.deepEqual(settingsSummary(c), [
      { label: "SMTP host", value: "smtp" }, { label: "SMTP port", value: "587" }, { label: "Security", value: "tls" },
      { label: "Username", value: "u" }, { label: "Password", value: "•••• set" }, { label: "From", value: "f@x.io" },
      { label: "To", value: "a@x.io, b@x.io" },
    ]);
  });
});

describe("Send test, in words", () => {
  it("200 is delivered", () => {
    assert.deepEqual(testOutcome(200, { channel_id: 1, status: "delivered" }), { ok: true, text: "Delivered" });
  });
  it("502 gives the target's answer, and when it would be retried", () => {
    assert.deepEqual(testOutcome(502, { status: "failed", detail: "HTTP 404: no such hook" }),
      { ok: false, text: "Not delivered: HTTP 404: no such hook" });
    assert.equal(testOutcome(502, { status: "retry", detail: "HTTP 429", retry_after_sec: 7 }).text, "Not delivered: HTTP 429; will retry after 7 s");
    assert.match(testOutcome(502, { status: "retry", detail: "timeout" }).text, /temporary/);
  });
  it("409 says the secrets cannot be decrypted and how to fix it; 404 that the channel is gone", () => {
    const t = testOutcome(409, { detail: "…" });
    assert.equal(t.ok, false);
    assert.match(t.text, /SECRET_KEY/);
    assert.match(t.text, /sentinel channels rekey/);
    assert.match(testOutcome(404, null).text, /no longer exists/);
    assert.match(testOutcome(503, { detail: "notifications are not sent by this process" }).text, /not sent by this process/);
  });
});

describe("422 at a channel's settings", () => {
  it("lands at settings.<key> when the form shows it, else at settings, naming the key", () => {
    const detail = [
      { loc: ["body", "settings", "to", "1"], msg: "value is not a valid email address" },
      { loc: ["body", "settings", "smtp_port"], msg: "Input should be a valid integer" },
      { loc: ["body", "settings", "bearer_token"], msg: "use either" },
      { loc: ["body", "settings"], msg: "Field required" },
      { loc: ["body", "name"], msg: "Field required" },
    ];
    assert.deepEqual(fieldErrors(detail, channelErrorFields("email", "none")), {
      "settings.to": "value is not a valid email address",
      "settings.smtp_port": "Input should be a valid integer",
      settings: "bearer_token: use either; Field required",
      name: "Field required",
    });
  });
});

describe("the event's notifications", () => {
  it("stay when a live frame carries none", () => {
    const base = { id: 1, rule_name: "r" } as AlertEvent;
    const withN = { ...base, notifications: [] };
    assert.deepEqual(withNotifications({ ...base, acknowledged: true }, withN).notifications, []);
    assert.equal(withNotifications({ ...base, id: 2 }, withN).notifications, undefined);
    assert.deepEqual(withNotifications({ ...base, notifications: [] }, null).notifications, []);
  });
});

describe("the channels page", () => {
  it("has a route", () => {
    assert.deepEqual(parseRoute("/channels"), { page: "channels" });
  });
});
