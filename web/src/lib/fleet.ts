// The fleet table's data: rows merged from /ws/fleet frames (full or delta),
// joined with the servers' names, filtered and sorted. Pure functions.

export interface Metrics {
  cpu_usage_percent: number | null;
  memory_usage_percent: number | null;
  disk_usage_percent: number | null;
  load1: number | null;
  load5: number | null;
  load15: number | null;
  network_receive_bytes_per_second: number | null;
  network_transmit_bytes_per_second: number | null;
  uptime_seconds: number | null;
}

export interface Summary {
  server_id: number;
  instance: string;
  job_name: string;
  timestamp: string;
  up: boolean;
  metrics: Partial<Metrics>;
}

export interface FleetFrame {
  type: "fleet";
  timestamp?: string;
  polled_at?: string;
  delta?: boolean;
  servers: Summary[];
  removed?: number[];
}

export type Rows = ReadonlyMap<number, Summary>;

// A full frame replaces every row; a delta frame replaces the rows it names
// and drops the ids in `removed`. The input map is never modified, and rows
// that did not change keep their identity (so their table rows need no
// re-render).
export function mergeFleet(rows: Rows, frame: FleetFrame): Map<number, Summary> {
  if (!frame.delta) return new Map(frame.servers.map((s) => [s.server_id, s]));
  const next = new Map(rows);
  for (const s of frame.servers) next.set(s.server_id, s);
  for (const id of frame.removed ?? []) next.delete(id);
  return next;
}

export interface ServerInfo {
  id: number;
  name: string;
  instance: string;
  job_name: string;
  description?: string | null;
  is_active?: boolean;
  cadvisor_instance?: string | null;
}

export interface FleetRow {
  id: number;
  firing?: number; // firing alerts of this server
  name: string;
  instance: string;
  job: string;
  summary: Summary | null; // null: no values known (Prometheus unavailable)
}

// Rows of the table: every summary, named by its server (a server not yet
// known by name shows its instance). With `withoutValues`, active servers
// that have no summary are listed too, with none (Prometheus unavailable
// before the first values arrived).
export function joinNames(rows: Rows, servers: ReadonlyMap<number, ServerInfo>, withoutValues = false): FleetRow[] {
  const out: FleetRow[] = [];
  for (const s of rows.values()) {
    const info = servers.get(s.server_id);
    out.push({ id: s.server_id, name: info?.name ?? s.instance, instance: s.instance, job: s.job_name, summary: s });
  }
  if (withoutValues)
    for (const info of servers.values())
      if (!rows.has(info.id) && info.is_active !== false)
        out.push({ id: info.id, name: info.name, instance: info.instance, job: info.job_name, summary: null });
  return out;
}

export function statusOf(row: FleetRow): "up" | "down" | "unknown" {
  return row.summary ? (row.summary.up ? "up" : "down") : "unknown";
}

// Every whitespace-separated term must appear in the name, instance or job
// (case-insensitive); "up" / "down" also match the status.
export function filterRows(rows: readonly FleetRow[], query: string): FleetRow[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return rows.slice();
  return rows.filter((r) => {
    const hay = `${r.name} ${r.instance} ${r.job}`.toLowerCase();
    const status = statusOf(r);
    return terms.every((t) => hay.includes(t) || t === status);
  });
}

export type SortKey = "name" | "status" | "cpu" | "memory" | "disk" | "load" | "alerts";
export type SortDir = "asc" | "desc";

function sortValue(r: FleetRow, key: SortKey): number | string | null {
  const m = r.summary?.metrics ?? {};
  switch (key) {
    case "name": return r.name.toLowerCase();
    case "status": return r.summary ? (r.summary.up ? 1 : 0) : null;
    case "cpu": return m.cpu_usage_percent ?? null;
    case "memory": return m.memory_usage_percent ?? null;
    case "disk": return m.disk_usage_percent ?? null;
    case "load": return m.load1 ?? null;
    case "alerts": return r.firing ?? 0;
  }
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

// Sorted by `key`; a missing value sorts last in either direction, and ties
// keep a stable order by name then id.
export function sortRows(rows: readonly FleetRow[], key: SortKey, dir: SortDir): FleetRow[] {
  const sign = dir === "asc" ? 1 : -1;
  return rows.slice().sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    if (va !== null && vb !== null && va !== vb) {
      const c = typeof va === "string" ? byName.compare(va, vb as string) : (va as number) - (vb as number);
      if (c !== 0) return sign * c;
    }
    return byName.compare(a.name, b.name) || a.id - b.id;
  });
}

// Firing events per server id (events of no server are not counted).
export function firingByServer(events: readonly { server_id: number | null; status: string }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of events)
    if (e.status === "firing" && e.server_id !== null) out.set(e.server_id, (out.get(e.server_id) ?? 0) + 1);
  return out;
}

// Past WINDOW_FROM rows the fleet table renders only the rows near the
// viewport, spacer rows standing in for the others: a thousand rows are
// ~32 000 DOM nodes, whose style, layout and paint took seconds to show and
// 65–105 ms of main thread per live update (bench/console).
export const WINDOW_FROM = 200;
export const OVERSCAN = 20; // rows rendered above and below the viewport

export interface RowWindow {
  first: number; // index of the first rendered row
  last: number; // one past the last rendered row
}

// The rows to render when the table body starts `top` px below the top of a
// `viewport` px high viewport (negative: scrolled past it), its rows about
// `rowHeight` px high: the visible ones and `overscan` more on either side.
export function rowWindow(count: number, top: number, viewport: number, rowHeight: number, overscan = OVERSCAN): RowWindow {
  const h = rowHeight > 0 ? rowHeight : 1;
  const clamp = (v: number) => Math.max(0, Math.min(count, v));
  const first = clamp(Math.floor(-top / h) - overscan);
  const last = clamp(Math.ceil((viewport - top) / h) + overscan);
  return { first, last: Math.max(first, last) };
}
