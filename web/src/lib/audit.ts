// The audit log's filters and how a change is shown. Pure functions.

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_email: string | null;
  via: string | null;
  token_id: number | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  request_id: string | null;
  changes: Record<string, unknown> | null;
}

export interface AuditFilter {
  actor: string; // a user id, or "" for anyone
  action: string; // exact, e.g. "rule.update"
  target_type: string;
  since: string; // hours back, or "" for any time
}

export const ANY_AUDIT: AuditFilter = { actor: "", action: "", target_type: "", since: "" };

// What the API records (product §7): targets and the actions on them.
export const TARGET_TYPES = ["server", "rule", "silence", "channel", "user", "token", "event", "auth"];
export const ACTIONS = [
  "server.create", "server.update", "server.delete", "rule.create", "rule.update", "rule.delete", "rule.import",
  "silence.create", "silence.delete", "channel.create", "channel.update", "channel.delete", "user.create",
  "user.update", "user.delete", "token.create", "token.delete", "event.ack", "auth.login", "auth.login_failed",
];

export function auditQuery(f: AuditFilter, now: number, skip = 0, limit = 100): string {
  const q = new URLSearchParams({ skip: String(skip), limit: String(limit) });
  if (f.actor) q.set("actor_id", f.actor);
  if (f.action) q.set("action", f.action);
  if (f.target_type) q.set("target_type", f.target_type);
  if (f.since) q.set("since", new Date(now - Number(f.since) * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"));
  return `/api/v1/audit/?${q}`;
}

const shown = (v: unknown): string => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

// {"name": ["a", "b"], "password": "***"} → ["name: a → b", "password: ***"].
// A creation has no old values: only the new ones are shown.
export function changeLines(changes: Record<string, unknown> | null | undefined, action = ""): string[] {
  if (!changes) return [];
  const created = action.endsWith(".create");
  return Object.entries(changes).map(([field, c]) => {
    if (!Array.isArray(c) || c.length !== 2) return `${field}: ${shown(c)}`;
    return created && c[0] === null ? `${field}: ${shown(c[1])}` : `${field}: ${shown(c[0])} → ${shown(c[1])}`;
  });
}
