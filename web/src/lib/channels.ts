// Notification channels (product.md §9): each type's settings as the API
// validates them (src/domain/channel_settings.cpp), the form's values ↔ the
// API's bodies, and what "Send test" and a delivery mean, in words.
//
// Secrets are write-only: the API answers a secret that is set as "***". A
// PATCH merges settings key by key: a key sent replaces, null removes an
// optional key, and an omitted secret keeps its stored value; so the form
// sends a secret only when one was typed (never "***"), and null only to
// remove one. A new type needs its whole settings object, secrets included.
// Values are sent as typed when they are not what the API wants (a port
// "abc"), so the server's 422 names the field: one set of validation rules.

export const CHANNEL_TYPES = ["telegram", "webhook", "slack", "discord", "email", "pagerduty", "alertmanager", "ntfy"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const TYPE_LABELS: Record<ChannelType, string> = {
  telegram: "Telegram", webhook: "Webhook", slack: "Slack", discord: "Discord", email: "Email",
  pagerduty: "PagerDuty", alertmanager: "Alertmanager", ntfy: "ntfy",
};

export const SEVERITY_ORDER = ["info", "warning", "critical"];
export const SECURITY_CHOICES = ["starttls", "tls", "none"];

// A webhook authenticates with a bearer token, or basic auth (username and
// password), or not at all: the form offers one of the three.
export type WebhookAuth = "none" | "bearer" | "basic";

export type SettingKind =
  | "text" // a short string
  | "token" // a secret string (token, password, routing key)
  | "url" // one URL
  | "number" // an integer
  | "list" // several values, one per line
  | "security"; // starttls | tls | none

export interface SettingSpec {
  key: string;
  label: string;
  kind: SettingKind;
  required: boolean;
  secret: boolean;
  hint?: string;
  auth?: WebhookAuth; // webhook: shown only with this authentication
}

const s = (key: string, label: string, kind: SettingKind, required: boolean, secret: boolean, hint?: string, auth?: WebhookAuth): SettingSpec =>
  ({ key, label, kind, required, secret, hint, auth });

// The keys, required ones and secret ones exactly as channel_settings.cpp has them.
export const SETTINGS: Record<ChannelType, SettingSpec[]> = {
  telegram: [
    s("bot_token", "Bot token", "token", true, true, "from @BotFather"),
    s("chat_id", "Chat ID", "text", true, false, "a number, or @channelname"),
    s("message_thread_id", "Topic ID", "number", false, false, "optional: a topic of a forum group"),
    s("api_url", "Bot API URL", "url", false, false, "optional: a local Bot API server instead of api.telegram.org"),
  ],
  webhook: [
    s("url", "URL", "url", true, true, "receives the Alertmanager v4 webhook payload"),
    s("bearer_token", "Bearer token", "token", false, true, undefined, "bearer"),
    s("username", "Username", "text", false, false, undefined, "basic"),
    s("password", "Password", "token", false, true, undefined, "basic"),
  ],
  slack: [s("webhook_url", "Webhook URL", "url", true, true, "the incoming webhook's URL (https://hooks.slack.com/services/…)")],
  discord: [s("webhook_url", "Webhook URL", "url", true, true, "the channel's webhook URL (https://discord.com/api/webhooks/…)")],
  email: [
    s("smtp_host", "SMTP host", "text", true, false),
    s("smtp_port", "SMTP port", "number", true, false, "587 with STARTTLS, 465 with TLS"),
    s("security", "Security", "security", true, false),
    s("username", "Username", "text", false, false, "optional: with a password"),
    s("password", "Password", "token", false, true, "optional: with a username"),
    s("from", "From", "text", true, false, "the sender's address"),
    s("to", "To", "list", true, false, "one address per line"),
  ],
  pagerduty: [
    s("routing_key", "Routing key", "token", true, true, "the integration key of an Events API v2 service"),
    s("api_url", "Events API URL", "url", false, false, "optional: instead of https://events.pagerduty.com/v2/enqueue"),
  ],
  alertmanager: [s("urls", "Alertmanager URLs", "list", true, false, "one per line, e.g. http://alertmanager:9093")],
  ntfy: [
    s("url", "Topic URL", "url", true, false, "the server and the topic, e.g. https://ntfy.sh/my-topic"),
    s("token", "Access token", "token", false, true, "optional"),
  ],
};

export interface Channel {
  id: number;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  send_resolved: boolean;
  default_for_severities: string[];
  created_at: string;
  updated_at: string;
}

export interface ChannelFormValues {
  name: string;
  type: ChannelType;
  // Text as typed, keyed "type.key" (switching the type back and forth
  // keeps what was typed for each); a list has one item per line.
  settings: Record<string, string>;
  auth: WebhookAuth;
  remove: string[]; // stored optional secrets to remove
  send_resolved: boolean;
  default_for_severities: string[];
}

export const EMPTY_CHANNEL: ChannelFormValues = {
  name: "", type: "slack", settings: { "email.smtp_port": "587", "email.security": "starttls" }, auth: "none", remove: [],
  send_resolved: true, default_for_severities: [],
};

export function isSet(c: Pick<Channel, "settings"> | undefined, key: string): boolean {
  const v = c?.settings[key];
  return v !== undefined && v !== null;
}

export function settingValue(v: Pick<ChannelFormValues, "type" | "settings">, key: string): string {
  return v.settings[`${v.type}.${key}`] ?? "";
}

export function withSetting(v: ChannelFormValues, key: string, text: string): ChannelFormValues {
  return { ...v, settings: { ...v.settings, [`${v.type}.${key}`]: text } };
}

export function webhookAuthOf(c: Pick<Channel, "settings">): WebhookAuth {
  if (isSet(c, "bearer_token")) return "bearer";
  return isSet(c, "username") || isSet(c, "password") ? "basic" : "none";
}

// The settings the form shows for a type (and, for a webhook, its authentication).
export function visibleSettings(type: ChannelType, auth: WebhookAuth): SettingSpec[] {
  return SETTINGS[type].filter((x) => !x.auth || x.auth === auth);
}

// The API's field names a 422 may name, for the form's fields.
export function channelErrorFields(type: ChannelType, auth: WebhookAuth): string[] {
  return ["name", "type", "send_resolved", "default_for_severities", "settings",
    ...visibleSettings(type, auth).map((x) => `settings.${x.key}`)];
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(String).join("\n");
  return String(value);
}

export function channelToForm(c: Channel): ChannelFormValues {
  const settings: Record<string, string> = { ...EMPTY_CHANNEL.settings };
  for (const x of SETTINGS[c.type] ?? []) settings[`${c.type}.${x.key}`] = x.secret ? "" : textOf(c.settings[x.key]);
  return {
    name: c.name, type: c.type, settings, auth: c.type === "webhook" ? webhookAuthOf(c) : "none", remove: [],
    send_resolved: c.send_resolved, default_for_severities: [...c.default_for_severities],
  };
}

// A setting's text → its JSON value; undefined when nothing was typed.
export function parseSetting(spec: SettingSpec, text: string): unknown {
  const t = spec.key === "password" ? text : text.trim(); // a password may begin or end with a space
  if (t.trim() === "") return undefined;
  if (spec.kind === "number") {
    const n = Number(t);
    return /^[+-]?\d+$/.test(t) && Number.isSafeInteger(n) ? n : t;
  }
  if (spec.kind === "list") {
    const items = t.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
    return items.length ? items : undefined;
  }
  return t;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function severitiesInOrder(list: readonly string[]): string[] {
  return SEVERITY_ORDER.filter((x) => list.includes(x));
}

// Every setting that was typed: a create's, or a new type's whole settings.
function wholeSettings(v: ChannelFormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of visibleSettings(v.type, v.auth)) {
    const value = parseSetting(spec, settingValue(v, spec.key));
    if (value !== undefined) out[spec.key] = value;
  }
  return out;
}

export function createBody(v: ChannelFormValues): Record<string, unknown> {
  return {
    name: v.name.trim(), type: v.type, settings: wholeSettings(v), send_resolved: v.send_resolved,
    default_for_severities: severitiesInOrder(v.default_for_severities),
  };
}

// Only what changed. For the same type, per setting:
//   a secret: the typed value; null when asked to remove it or when it is
//     no longer shown (a webhook's other authentication); else omitted (kept);
//   any other: its value when it changed; null when emptied or no longer shown.
export function patchBody(v: ChannelFormValues, current: Channel): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (v.name.trim() !== current.name) body.name = v.name.trim();
  if (v.send_resolved !== current.send_resolved) body.send_resolved = v.send_resolved;
  const severities = severitiesInOrder(v.default_for_severities);
  if (!sameJson(severities, severitiesInOrder(current.default_for_severities))) body.default_for_severities = severities;
  if (v.type !== current.type) {
    body.type = v.type;
    body.settings = wholeSettings(v);
    return body;
  }
  const shown = new Set(visibleSettings(v.type, v.auth).map((x) => x.key));
  const settings: Record<string, unknown> = {};
  for (const spec of SETTINGS[v.type]) {
    const stored = isSet(current, spec.key);
    const typed = shown.has(spec.key) ? parseSetting(spec, settingValue(v, spec.key)) : undefined;
    if (spec.secret) {
      if (v.remove.includes(spec.key) || !shown.has(spec.key)) {
        if (stored) settings[spec.key] = null;
      } else if (typed !== undefined) {
        settings[spec.key] = typed;
      }
    } else if (typed === undefined) {
      if (stored) settings[spec.key] = null;
    } else if (!sameJson(typed, current.settings[spec.key])) {
      settings[spec.key] = typed;
    }
  }
  if (Object.keys(settings).length > 0) body.settings = settings;
  return body;
}

// A channel's settings as a viewer may read them: secrets as "set".
export function settingsSummary(c: Channel): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const spec of SETTINGS[c.type] ?? []) {
    if (!isSet(c, spec.key)) continue;
    const raw = c.settings[spec.key];
    out.push({ label: spec.label, value: spec.secret ? "•••• set" : Array.isArray(raw) ? raw.map(String).join(", ") : String(raw) });
  }
  return out;
}

// POST /alerts/channels/{id}/test's answer in words.
export interface TestOutcome {
  ok: boolean;
  text: string;
}

export function testOutcome(status: number, body: unknown): TestOutcome {
  const b = (body && typeof body === "object" ? body : {}) as { detail?: unknown; retry_after_sec?: unknown; status?: unknown };
  const detail = typeof b.detail === "string" && b.detail ? b.detail : "";
  if (status >= 200 && status < 300) return { ok: true, text: "Delivered" };
  if (status === 502) {
    const retry = typeof b.retry_after_sec === "number" ? `; will retry after ${b.retry_after_sec} s` :
      b.status === "retry" ? " (a temporary failure: an alert would be retried)" : "";
    return { ok: false, text: `Not delivered: ${detail || "the target refused the message"}${retry}` };
  }
  if (status === 409)
    return { ok: false, text: "Not sent: the channel's secrets cannot be decrypted with this SECRET_KEY (it changed). " +
      "Run `sentinel channels rekey` with the previous key, or set the secrets again." };
  if (status === 404) return { ok: false, text: "Not sent: this channel no longer exists." };
  if (status === 403) return { ok: false, text: "Not sent: you do not have permission to test channels." };
  if (status === 0) return { ok: false, text: "Not sent: Sentinel cannot be reached; check your connection." };
  return { ok: false, text: `Not sent: ${detail || `Sentinel could not send it (HTTP ${status})`}` };
}

// GET /alerts/channels/{id}/deliveries: newest first.
export interface Delivery {
  event_id: number;
  rule_id: number | null;
  rule_name: string;
  kind: "firing" | "repeat" | "resolved";
  status: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

export const DELIVERIES_SHOWN = 10;

export function deliveriesPath(channelId: number, limit = DELIVERIES_SHOWN): string {
  return `/api/v1/alerts/channels/${channelId}/deliveries?limit=${limit}`;
}

export function attemptsText(n: number): string {
  return n === 1 ? "1 attempt" : `${n} attempts`;
}

// A notification of an event (GET /alerts/events/{id} `notifications`).
export interface EventNotification {
  channel_id: number | null; // null: an environment-configured channel
  channel: string;
  type: string;
  kind: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
}

// Where a channel's card is on the Channels page.
export function channelAnchor(id: number): string {
  return `channel-${id}`;
}
