// The events timeline: the list merged with live /ws/events frames, and its
// filters (status, server and rule asked of the API, severity here; live
// frames pass the same filter). Pure functions.
import type { EventNotification } from "./channels";
import { formatLoad } from "./format";

export interface AlertEvent {
  id: number;
  rule_id: number | null;
  server_id: number | null;
  rule_name: string;
  status: "firing" | "resolved";
  severity: string;
  value: number | null;
  threshold: number | null;
  comparison: string | null;
  labels?: Record<string, string> | null;
  message: string | null;
  started_at: string;
  resolved_at: string | null;
  notification_status: string;
  last_notified_at?: string | null;
  acknowledged: boolean;
  created_at: string;
  notifications?: EventNotification[]; // GET /alerts/events/{id} only: one per channel and kind
}

// A new or changed event: replaces the one with its id, newest first
// (by id), at most `limit` kept.
export function upsertEvent(events: readonly AlertEvent[], e: AlertEvent, limit = 500): AlertEvent[] {
  const rest = events.filter((x) => x.id !== e.id);
  const out = [e, ...rest].sort((a, b) => b.id - a.id);
  return out.slice(0, limit);
}

export interface EventFilter {
  status: "" | "firing" | "resolved";
  severity: string;
  server: string; // a server id, or "" for any
  rule: string; // a rule id, or "" for any
}

export const ANY_EVENT: EventFilter = { status: "", severity: "", server: "", rule: "" };

// The list endpoint for a filter: the API filters by status, server and rule
// (so the newest `limit` are the newest of those); severity is filtered here.
export function eventsQuery(f: EventFilter, limit = 200): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (f.status) q.set("status", f.status);
  if (f.server) q.set("server_id", f.server);
  if (f.rule) q.set("rule_id", f.rule);
  return `/api/v1/alerts/events/?${q}`;
}

// The filter in the page's address ("/events?status=firing&server=3"), so a
// reload or a shared link shows the same events.
export function filterFromSearch(search: string): EventFilter {
  const q = new URLSearchParams(search);
  const status = q.get("status");
  const id = (k: string) => (/^\d+$/.test(q.get(k) ?? "") ? q.get(k)! : "");
  return {
    status: status === "firing" || status === "resolved" ? status : "",
    severity: ["info", "warning", "critical"].includes(q.get("severity") ?? "") ? q.get("severity")! : "",
    server: id("server"),
    rule: id("rule"),
  };
}

export function filterToSearch(f: EventFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function matchesFilter(e: AlertEvent, f: EventFilter): boolean {
  return (!f.status || e.status === f.status) && (!f.severity || e.severity === f.severity) &&
    (!f.server || String(e.server_id) === f.server) && (!f.rule || String(e.rule_id) === f.rule);
}

export function filterEvents(events: readonly AlertEvent[], f: EventFilter): AlertEvent[] {
  return events.filter((e) => matchesFilter(e, f));
}

// A silence of `lengthMs` from `now` for this event's rule and server.
export function silenceFor(e: Pick<AlertEvent, "rule_id" | "server_id" | "rule_name">, lengthMs: number, now: number) {
  return {
    rule_id: e.rule_id,
    server_id: e.server_id,
    starts_at: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
    ends_at: new Date(now + lengthMs).toISOString().replace(/\.\d+Z$/, "Z"),
    comment: `Silenced from the console: ${e.rule_name}`,
  };
}

export interface SilenceWindow {
  server_id: number | null;
  rule_id: number | null;
  starts_at: string;
  ends_at: string;
}

// The active silence that mutes this event's notifications (the latest
// ending one), as the engine matches them: a null server or rule matches any.
export function activeSilence<S extends SilenceWindow>(e: Pick<AlertEvent, "rule_id" | "server_id">, silences: readonly S[], now: number): S | null {
  let best: S | null = null;
  for (const s of silences) {
    const active = Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at);
    const matches = (s.server_id === null || s.server_id === e.server_id) && (s.rule_id === null || s.rule_id === e.rule_id);
    if (active && matches && (!best || Date.parse(s.ends_at) > Date.parse(best.ends_at))) best = s;
  }
  return best;
}

// `next` (a live frame, an acknowledgement's answer) keeps the notifications
// the event's own GET gave when it carries none.
export function withNotifications(next: AlertEvent, old: AlertEvent | null): AlertEvent {
  return next.notifications === undefined && old?.id === next.id && old.notifications !== undefined
    ? { ...next, notifications: old.notifications } : next;
}

// When the event's rule fires, in words: "fires when > 0.1", or, for a rule
// without threshold and comparison (both null), "fires for every series the
// query returns" (Prometheus's semantics).
export function conditionSentence(e: Pick<AlertEvent, "threshold" | "comparison">): string {
  if (e.threshold === null || e.threshold === undefined) return "fires for every series the query returns";
  return `fires when ${e.comparison ?? ">"} ${formatLoad(e.threshold)}`;
}
