// The rule form's values ↔ the API's body. Numbers typed as text are sent
// as numbers when they are numbers, and as typed otherwise, so the server's
// 422 names the field (one set of validation rules: the server's).
// A rule without a threshold and comparison (both null) fires for every
// series its query returns, as a Prometheus alerting rule does.

export interface RuleFormValues {
  name: string;
  server: string; // "" = All servers (a fleet rule), else the server id
  metric_name: string;
  promql: string;
  condition: "threshold" | "every"; // "every": threshold and comparison null (Prometheus style)
  comparison: string;
  threshold: string;
  for_sec: string;
  recovery_threshold: string;
  keep_firing_for_sec: string;
  severity: string;
  channel: string;
  summary: string; // message template; "" = none
  description: string;
  labels: string; // one name=value a line
  annotations: string; // one name=value a line
  // As loaded from the stored rule: unchanged pairs are not sent (kept as
  // stored, byte for byte), and pairs with a multi-line value cannot be
  // edited as lines (`locked`).
  loaded?: { labels: string; annotations: string; locked: ("labels" | "annotations")[] };
  channel_ids: number[]; // the channels it sends to (none: `channel`, or the severity's defaults)
  group_wait_sec: string; // "" = the server's default (GROUP_WAIT_SEC)
  group_interval_sec: string; // "" = the server's default (GROUP_INTERVAL_SEC)
}

export interface Rule {
  id: number;
  name: string;
  server_id: number | null;
  metric_name: string;
  promql: string;
  threshold: number | null;
  comparison: string | null;
  for_sec: number;
  recovery_threshold: number | null;
  severity: string;
  channel: string;
  description: string | null;
  summary?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  rule_group?: string | null;
  keep_firing_for_sec?: number;
  state: string;
  last_error: string | null;
  last_evaluated_at: string | null;
  last_value: number | null;
  is_active: boolean;
  channel_ids?: number[];
  group_wait_sec?: number | null;
  group_interval_sec?: number | null;
}

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="];
export const SEVERITIES = ["info", "warning", "critical"];
export const CHANNELS = ["telegram", "webhook", "none"];

export const EMPTY_RULE: RuleFormValues = {
  name: "", server: "", metric_name: "", promql: "", condition: "threshold", comparison: ">", threshold: "", for_sec: "0",
  recovery_threshold: "", keep_firing_for_sec: "0", severity: "warning", channel: "none", summary: "", description: "",
  labels: "", annotations: "", channel_ids: [], group_wait_sec: "", group_interval_sec: "",
};

// A rule's (or an event's) condition in words: "> 90", or "every series"
// for a rule without threshold and comparison (null, Prometheus style).
// A threshold alone compares with ">", as the API does.
export const EVERY_SERIES = "every series";

export function isEverySeries(r: { threshold?: number | null; comparison?: string | null }): boolean {
  return (r.threshold === null || r.threshold === undefined) && (r.comparison === null || r.comparison === undefined);
}

export function conditionText(r: { threshold?: number | null; comparison?: string | null }): string {
  if (r.threshold === null || r.threshold === undefined) return EVERY_SERIES;
  return `${r.comparison ?? ">"} ${r.threshold}`;
}

// {team: "ops"} ↔ "team=ops", one a line (sorted as stored).
export function pairsToText(pairs: Record<string, string> | null | undefined): string {
  return Object.entries(pairs ?? {}).map(([k, v]) => `${k}=${v}`).join("\n");
}

// "team=ops\nrunbook=https://x/?a=b" → {team: "ops", runbook: "https://x/?a=b"}
// (split at the first "="; blank lines ignored). A line without "=" is
// returned in `bad` (the form says so at the field; the server checks names).
export function textToPairs(text: string): { pairs: Record<string, string>; bad: string[] } {
  const pairs: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) bad.push(line);
    else pairs[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { pairs, bad };
}

const textOf = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

export function ruleToForm(r: Rule): RuleFormValues {
  return {
    name: r.name, server: r.server_id === null ? "" : String(r.server_id), metric_name: r.metric_name,
    promql: r.promql, condition: isEverySeries(r) ? "every" : "threshold",
    comparison: r.comparison ?? ">", threshold: textOf(r.threshold),
    for_sec: String(r.for_sec ?? 0), recovery_threshold: textOf(r.recovery_threshold),
    keep_firing_for_sec: String(r.keep_firing_for_sec ?? 0),
    severity: r.severity, channel: r.channel, summary: r.summary ?? "", description: r.description ?? "",
    labels: pairsToText(r.labels), annotations: pairsToText(r.annotations),
    loaded: {
      labels: pairsToText(r.labels), annotations: pairsToText(r.annotations),
      locked: (["labels", "annotations"] as const).filter((k) => Object.values(r[k] ?? {}).some((x) => /[\r\n]/.test(x))),
    },
    channel_ids: [...(r.channel_ids ?? [])], group_wait_sec: textOf(r.group_wait_sec), group_interval_sec: textOf(r.group_interval_sec),
  };
}

// "12.5" → 12.5; "" → `empty`; anything else as typed (the server says why).
function numberOr(text: string, empty: number | null | undefined): number | string | null | undefined {
  const t = text.trim();
  if (t === "") return empty;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function pairsBody(v: RuleFormValues, k: "labels" | "annotations"): Record<string, string> | undefined {
  if (v.loaded && (v.loaded.locked.includes(k) || v.loaded[k] === v[k])) return undefined;
  return textToPairs(v[k]).pairs;
}

// Every series: threshold, comparison and recovery_threshold null. Labels
// and annotations as typed (lines without "=" left out: the form refuses
// them before sending, see textToPairs), or not at all when unchanged or
// locked. Templates are sent as typed (a rule file's trailing newline
// stays), all blank as null.
export function formToBody(v: RuleFormValues): Record<string, unknown> {
  const every = v.condition === "every";
  const body: Record<string, unknown> = {
    name: v.name.trim(),
    server_id: v.server === "" ? null : Number(v.server),
    metric_name: v.metric_name.trim() || v.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "custom",
    promql: v.promql.trim(),
    comparison: every ? null : v.comparison,
    threshold: every ? null : numberOr(v.threshold, undefined),
    for_sec: numberOr(v.for_sec, 0),
    recovery_threshold: every ? null : numberOr(v.recovery_threshold, null),
    keep_firing_for_sec: numberOr(v.keep_firing_for_sec, 0),
    severity: v.severity,
    channel: v.channel,
    summary: v.summary.trim() ? v.summary : null,
    description: v.description.trim() ? v.description : null,
    labels: pairsBody(v, "labels"),
    annotations: pairsBody(v, "annotations"),
    channel_ids: v.channel_ids,
    group_wait_sec: numberOr(v.group_wait_sec, null),
    group_interval_sec: numberOr(v.group_interval_sec, null),
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}
