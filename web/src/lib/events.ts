// The events timeline: the list merged with live /ws/events frames, and its
// filters. Pure functions.

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
  message: string | null;
  started_at: string;
  resolved_at: string | null;
  notification_status: string;
  acknowledged: boolean;
  created_at: string;
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
  text: string; // matches the rule name
}

export function filterEvents(events: readonly AlertEvent[], f: EventFilter): AlertEvent[] {
  const text = f.text.trim().toLowerCase();
  return events.filter(
    (e) => (!f.status || e.status === f.status) && (!f.severity || e.severity === f.severity) &&
      (!text || e.rule_name.toLowerCase().includes(text)),
  );
}

// A silence of `hours` from `now` for this event's rule and server.
export function silenceFor(e: Pick<AlertEvent, "rule_id" | "server_id" | "rule_name">, hours: number, now: number) {
  return {
    rule_id: e.rule_id,
    server_id: e.server_id,
    starts_at: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
    ends_at: new Date(now + hours * 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
    comment: `Silenced from the console: ${e.rule_name}`,
  };
}
