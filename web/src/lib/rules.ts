// The rule form's values ↔ the API's body. Numbers typed as text are sent
// as numbers when they are numbers, and as typed otherwise, so the server's
// 422 names the field (one set of validation rules: the server's).

export interface RuleFormValues {
  name: string;
  server: string; // "" = All servers (a fleet rule), else the server id
  metric_name: string;
  promql: string;
  comparison: string;
  threshold: string;
  for_sec: string;
  recovery_threshold: string;
  severity: string;
  channel: string;
  description: string;
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
  name: "", server: "", metric_name: "", promql: "", comparison: ">", threshold: "", for_sec: "0",
  recovery_threshold: "", severity: "warning", channel: "none", description: "",
  channel_ids: [], group_wait_sec: "", group_interval_sec: "",
};

const textOf = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

export function ruleToForm(r: Rule): RuleFormValues {
  return {
    name: r.name, server: r.server_id === null ? "" : String(r.server_id), metric_name: r.metric_name,
    promql: r.promql, comparison: r.comparison ?? ">", threshold: r.threshold === null ? "" : String(r.threshold),
    for_sec: String(r.for_sec ?? 0), recovery_threshold: r.recovery_threshold === null ? "" : String(r.recovery_threshold),
    severity: r.severity, channel: r.channel, description: r.description ?? "",
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

export function formToBody(v: RuleFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: v.name.trim(),
    server_id: v.server === "" ? null : Number(v.server),
    metric_name: v.metric_name.trim() || v.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "custom",
    promql: v.promql.trim(),
    comparison: v.comparison,
    threshold: numberOr(v.threshold, undefined),
    for_sec: numberOr(v.for_sec, 0),
    recovery_threshold: numberOr(v.recovery_threshold, null),
    severity: v.severity,
    channel: v.channel,
    description: v.description.trim() || null,
    channel_ids: v.channel_ids,
    group_wait_sec: numberOr(v.group_wait_sec, null),
    group_interval_sec: numberOr(v.group_interval_sec, null),
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}
