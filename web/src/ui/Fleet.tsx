// The fleet overview: every server with up/down, CPU, memory, disk and load,
// live from /ws/fleet?delta=1, searchable and sortable. A row re-renders
// only when its own summary changed, and past WINDOW_FROM rows only the rows
// near the viewport are in the page, so 1 000 servers stay smooth.
import { Component, type RefObject } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, hasRole, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import {
  filterRows, firingByServer, joinNames, mergeFleet, rowWindow, sortRows, statusOf, WINDOW_FROM,
  type FleetFrame, type FleetRow, type RowWindow, type ServerInfo, type SortDir, type SortKey, type Summary,
} from "../lib/fleet";
import { formatLoad, formatPercent } from "../lib/format";
import { openLive, type LiveState } from "../lib/live";
import { Empty, ErrorNote, Link, Loading, Page, Time, useNow } from "./common";
import { ServerForm } from "./ServerForm";

type Frame = FleetFrame | { type: "error"; detail: string };

const NAMES_PAGE = 1000;

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Name" },
  { key: "status", label: "Status" },
  { key: "cpu", label: "CPU", numeric: true },
  { key: "memory", label: "Memory", numeric: true },
  { key: "disk", label: "Disk", numeric: true },
  { key: "load", label: "Load", numeric: true },
  { key: "alerts", label: "Alerts", numeric: true },
];

function Bar({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const level = value >= 90 ? "crit" : value >= 75 ? "warn" : "ok";
  return (
    <span class={`meter ${level}`}>
      <span class="meter-text">{formatPercent(value)}</span>
      <span class="meter-bar" aria-hidden="true">
        <span class={`meter-fill w${Math.min(20, Math.max(0, Math.round(value / 5)))}`} />
      </span>
    </span>
  );
}

// `index`: the row's aria-rowindex when only some rows are in the page.
class Row extends Component<{ row: FleetRow; index?: number }> {
  shouldComponentUpdate(next: { row: FleetRow; index?: number }) {
    const a = this.props.row;
    const b = next.row;
    return a.summary !== b.summary || a.name !== b.name || a.firing !== b.firing || this.props.index !== next.index;
  }
  render({ row, index }: { row: FleetRow; index?: number }) {
    const m = row.summary?.metrics ?? {};
    const status = statusOf(row);
    return (
      <tr class={status} aria-rowindex={index}>
        <th scope="row">
          <Link href={`/servers/${row.id}`}>{row.name}</Link>
          <span class="sub">{row.instance}</span>
        </th>
        <td>
          <span class={`pill ${status}`}>{status === "up" ? "Up" : status === "down" ? "Down" : "Unknown"}</span>
        </td>
        <td class="num"><Bar value={m.cpu_usage_percent} /></td>
        <td class="num"><Bar value={m.memory_usage_percent} /></td>
        <td class="num"><Bar value={m.disk_usage_percent} /></td>
        <td class="num">{formatLoad(m.load1)}</td>
        <td class="num">
          {row.firing ? <span class="pill firing">{row.firing} firing</span> : <span class="muted">none</span>}
        </td>
      </tr>
    );
  }
}

// Stands in for `rows` rows that are not in the page (styles through the
// CSSOM, which the CSP allows; no style attribute in the markup).
function Spacer({ rows, rowHeight }: { rows: number; rowHeight: number }) {
  return (
    <tr aria-hidden="true" style={{ background: "none" }}>
      <td colSpan={COLUMNS.length} style={{ height: `${rows * rowHeight}px`, padding: "0", border: "0" }} />
    </tr>
  );
}

// Which of `count` rows to render: all of them up to WINDOW_FROM, else those
// near the viewport, measured again on scroll, resize, a change of the
// page's height (a form or banner above the table, rows of another height
// than guessed) and of `count`. The row height is a rendered row's.
function useRowWindow(count: number, body: RefObject<HTMLTableSectionElement>): RowWindow & { rowHeight: number } {
  const windowed = count > WINDOW_FROM;
  const [win, setWin] = useState({ first: 0, last: 0, rowHeight: 40 });
  useLayoutEffect(() => {
    if (!windowed) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const tbody = body.current;
      if (!tbody) return;
      const row = tbody.querySelector<HTMLElement>("tr[aria-rowindex]");
      setWin((w) => {
        const rowHeight = row && row.offsetHeight > 0 ? row.offsetHeight : w.rowHeight;
        const next = rowWindow(count, tbody.getBoundingClientRect().top, innerHeight, rowHeight);
        return w.first === next.first && w.last === next.last && w.rowHeight === rowHeight ? w : { ...next, rowHeight };
      });
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    const resized = new ResizeObserver(schedule);
    resized.observe(document.body);
    addEventListener("scroll", schedule, { passive: true });
    addEventListener("resize", schedule);
    return () => {
      cancelAnimationFrame(frame);
      resized.disconnect();
      removeEventListener("scroll", schedule);
      removeEventListener("resize", schedule);
    };
  }, [count, windowed]);
  if (!windowed) return { first: 0, last: count, rowHeight: win.rowHeight };
  return { first: Math.min(win.first, count), last: Math.min(win.last, count), rowHeight: win.rowHeight };
}

export function FleetPage({ me }: { me: Me }) {
  const [rows, setRows] = useState<Map<number, Summary> | null>(null);
  const [servers, setServers] = useState<Map<number, ServerInfo>>(new Map());
  const [live, setLive] = useState<LiveState>("connecting");
  const [promError, setPromError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: "name", dir: "asc" });
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [firing, setFiring] = useState<Map<number, number>>(new Map());
  const addButton = useRef<HTMLButtonElement>(null);
  const tbody = useRef<HTMLTableSectionElement>(null);
  const now = useNow();

  // Names 1 000 at a time (the API's maximum), each full page shown as it
  // comes: a thousand rows are named without waiting for the next (empty)
  // page; the last page replaces the map, so deleted servers go.
  const loadNames = async () => {
    const all = new Map<number, ServerInfo>();
    try {
      for (let skip = 0; ; skip += NAMES_PAGE) {
        const page = await api<ServerInfo[]>(`/api/v1/servers/?skip=${skip}&limit=${NAMES_PAGE}`);
        for (const s of page) all.set(s.id, s);
        if (page.length < NAMES_PAGE) break;
        setServers((prev) => {
          const next = new Map(prev);
          for (const s of page) next.set(s.id, s);
          return next;
        });
      }
      setServers(all);
      setLoadError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setLoadError(e.message);
    }
  };

  // Firing alerts: read every 15 s (the table's values are live; alerts
  // change at the rules' pace).
  useEffect(() => {
    const load = () =>
      api<{ server_id: number | null; status: string }[]>("/api/v1/alerts/events/?status=firing&limit=1000")
        .then((list) => setFiring(firingByServer(list)))
        .catch(() => undefined);
    load();
    const t = setInterval(load, 15000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    loadNames();
    return openLive<Frame>("/ws/fleet?delta=1", {
      onState: (s) => setLive(s),
      onMessage: (f) => {
        if (f.type === "error") {
          setPromError(f.detail);
          return;
        }
        if (f.type !== "fleet") return;
        setPromError(null);
        setUpdatedAt(f.polled_at ?? f.timestamp ?? new Date().toISOString());
        setRows((prev) => mergeFleet(f.delta ? prev ?? new Map() : new Map(), f));
      },
    });
  }, []);

  // A server that appears in the fleet before its name is known.
  const unknown = rows ? [...rows.keys()].some((id) => !servers.has(id)) : false;
  useEffect(() => {
    if (!unknown) return;
    const t = setTimeout(loadNames, 500);
    return () => clearTimeout(t);
  }, [unknown]);

  // Before the first values, an unavailable Prometheus still shows which
  // servers there are (their status unknown).
  const table = rows ?? (promError ? new Map<number, Summary>() : null);
  const visible = useMemo(
    () => {
      if (!table) return [];
      const joined = joinNames(table, servers, rows === null).map((r) => (firing.has(r.id) ? { ...r, firing: firing.get(r.id) } : r));
      return sortRows(filterRows(joined, query), sort.key, sort.dir);
    },
    [table, servers, query, sort, firing],
  );

  const sortBy = (key: SortKey) =>
    setSort((s) => ({ key, dir: s.key === key ? (s.dir === "asc" ? "desc" : "asc") : key === "name" ? "asc" : "desc" }));

  const win = useRowWindow(visible.length, tbody);
  const windowed = visible.length > WINDOW_FROM;

  const total = rows ? rows.size : table ? visible.length : 0;
  const down = rows ? [...rows.values()].filter((s) => !s.up).length : 0;
  const canEdit = hasRole(me, "editor");

  return (
    <Page
      title="Servers"
      actions={
        canEdit && !adding && (
          <button type="button" class="primary" ref={addButton} onClick={() => { setAdding(true); setNotice(null); }}>
            Add server
          </button>
        )
      }
    >
      {adding && (
        <ServerForm
          title="Add server"
          onCancel={() => { setAdding(false); setTimeout(() => addButton.current?.focus()); }}
          onSaved={(s) => {
            setAdding(false);
            setNotice(`Server ${s.name} added; its values appear with the next update.`);
            setServers((prev) => new Map(prev).set(s.id, s));
            setTimeout(() => addButton.current?.focus());
          }}
        />
      )}
      {notice && <p class="notice" role="status">{notice}</p>}
      <div class="toolbar">
        <div class="field inline">
          <label for="fleet-search">Search servers</label>
          <input id="fleet-search" type="search" value={query} placeholder="name, instance, job, up or down"
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <p class="live" role="status" aria-live="polite">
          <span class={`dot ${promError ? "bad" : live}`} aria-hidden="true" />
          {promError
            ? "Prometheus unavailable"
            : live === "open"
              ? <>Live · {total} servers{down > 0 ? `, ${down} down` : ""} · updated <Time value={updatedAt} now={now} /></>
              : live === "connecting" ? "Connecting…" : "Connection lost; reconnecting…"}
        </p>
      </div>
      {promError && (
        <div class="banner error" role="alert">
          <strong>Prometheus unavailable.</strong> Values cannot be read right now; they return by themselves once
          Prometheus answers again. <span class="detail">{promError}</span>
        </div>
      )}
      {loadError && <ErrorNote message={loadError} />}
      {table === null ? (
        <Loading what="the fleet" />
      ) : total === 0 ? (
        <Empty>No servers yet.{canEdit ? " Use “Add server” to register the first one." : ""}</Empty>
      ) : (
        <div class="table-wrap">
          <table class="fleet" aria-rowcount={windowed ? visible.length + 1 : undefined}>
            <caption class="sr-only">Servers, {visible.length} of {total} shown</caption>
            <thead>
              <tr aria-rowindex={windowed ? 1 : undefined}>
                {COLUMNS.map((c) => (
                  <th scope="col" class={c.numeric ? "num" : ""}
                    aria-sort={sort.key === c.key ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}>
                    <button type="button" class="sort" onClick={() => sortBy(c.key)}>
                      {c.label}
                      <span aria-hidden="true" class="arrow">{sort.key === c.key ? (sort.dir === "asc" ? "▲" : "▼") : ""}</span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody ref={tbody}>
              {win.first > 0 && <Spacer key="above" rows={win.first} rowHeight={win.rowHeight} />}
              {visible.slice(win.first, win.last).map((r, i) => (
                <Row key={r.id} row={r} index={windowed ? win.first + i + 2 : undefined} />
              ))}
              {win.last < visible.length && <Spacer key="below" rows={visible.length - win.last} rowHeight={win.rowHeight} />}
            </tbody>
          </table>
          {visible.length === 0 && <Empty>No server matches “{query}”.</Empty>}
        </div>
      )}
    </Page>
  );
}
