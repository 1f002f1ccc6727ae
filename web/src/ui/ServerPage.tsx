// One server: its live values (/ws/metrics/{id}) and history charts for
// 1 h / 6 h / 24 h / 7 d from the range endpoint; the 1 h charts also move
// with the live values. Editors can edit and delete it.
import { useEffect, useState } from "preact/hooks";
import { api, hasRole, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import type { Metrics, ServerInfo } from "../lib/fleet";
import type { AlertEvent } from "../lib/events";
import { formatBytes, formatBytesPerSecond, formatLoad, formatMetric, formatPercent, formatUptime } from "../lib/format";
import { conditionText, type Rule } from "../lib/rules";
import { alignSeries, appendPoint, rangeQuery, RANGES, type RangeKey } from "../lib/history";
import { openLive, type LiveState } from "../lib/live";
import { navigate } from "../lib/router";
import { Chart, type ChartSeries } from "./Chart";
import { ErrorNote, Link, Loading, Page, Time, useNow } from "./common";
import { ServerForm } from "./ServerForm";

interface MetricsFrame {
  type: "metrics";
  server_id: number;
  timestamp: string;
  up: boolean;
  metrics: Partial<Metrics>;
}

type Data = [number[], ...(number | null)[][]];

interface ChartDef {
  title: string;
  metrics: (keyof Metrics)[];
  series: ChartSeries[];
  format: (v: number | null) => string;
  yMax?: number;
  yFloor?: number;
}

const CHARTS: ChartDef[] = [
  { title: "CPU", metrics: ["cpu_usage_percent"], series: [{ label: "CPU", color: "--series-1" }], format: formatPercent, yMax: 100 },
  { title: "Memory", metrics: ["memory_usage_percent"], series: [{ label: "Memory", color: "--series-2" }], format: formatPercent, yMax: 100 },
  { title: "Disk", metrics: ["disk_usage_percent"], series: [{ label: "Disk", color: "--series-3" }], format: formatPercent, yMax: 100 },
  {
    title: "Network",
    metrics: ["network_receive_bytes_per_second", "network_transmit_bytes_per_second"],
    series: [{ label: "Received", color: "--series-1" }, { label: "Sent", color: "--series-4" }],
    format: formatBytesPerSecond,
    yFloor: 1024,
  },
  {
    title: "Load",
    metrics: ["load1", "load5", "load15"],
    series: [{ label: "1 min", color: "--series-1" }, { label: "5 min", color: "--series-2" }, { label: "15 min", color: "--series-3" }],
    format: formatLoad,
  },
];

const CARDS: { key: keyof Metrics; label: string }[] = [
  { key: "cpu_usage_percent", label: "CPU" },
  { key: "memory_usage_percent", label: "Memory" },
  { key: "disk_usage_percent", label: "Disk" },
  { key: "load1", label: "Load (1 min)" },
  { key: "network_receive_bytes_per_second", label: "Network in" },
  { key: "network_transmit_bytes_per_second", label: "Network out" },
  { key: "uptime_seconds", label: "Uptime" },
];

interface Container {
  name: string;
  image: string;
  cpu_usage_percent: number | null;
  memory_usage_bytes: number | null;
  memory_limit_bytes: number | null;
  network_receive_bytes_per_second: number | null;
  network_transmit_bytes_per_second: number | null;
}

// The server's containers (when it has a cAdvisor), its rules and its
// latest alert events.
function Related({ server }: { server: ServerInfo }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [events, setEvents] = useState<AlertEvent[] | null>(null);
  const [containers, setContainers] = useState<Container[] | null>(null);
  const [containerError, setContainerError] = useState<string | null>(null);
  const now = useNow();
  useEffect(() => {
    const ctl = new AbortController();
    const opts = { signal: ctl.signal };
    api<Rule[]>(`/api/v1/alerts/rules/?server_id=${server.id}&limit=1000`, opts).then(setRules).catch(() => setRules([]));
    api<AlertEvent[]>(`/api/v1/alerts/events/?server_id=${server.id}&limit=20`, opts).then(setEvents).catch(() => setEvents([]));
    if (server.cadvisor_instance)
      api<Container[]>(`/api/v1/metrics/servers/${server.id}/containers`, opts)
        .then(setContainers)
        .catch((e) => e instanceof ApiError && setContainerError(e.message));
    return () => ctl.abort();
  }, [server.id, server.cadvisor_instance]);
  return (
    <>
      {server.cadvisor_instance && (
        <section aria-labelledby="containers-title">
          <h2 id="containers-title">Containers</h2>
          {containerError && <ErrorNote message={containerError} />}
          {!containers && !containerError && <Loading what="containers" />}
          {containers && containers.length === 0 && <p class="state">No containers reported by {server.cadvisor_instance}.</p>}
          {containers && containers.length > 0 && (
            <div class="table-wrap">
              <table>
                <thead><tr><th scope="col">Container</th><th scope="col">Image</th><th scope="col" class="num">CPU</th>
                  <th scope="col" class="num">Memory</th><th scope="col" class="num">Network in</th><th scope="col" class="num">Network out</th></tr></thead>
                <tbody>
                  {containers.map((c) => (
                    <tr key={c.name}>
                      <th scope="row">{c.name}</th><td><code>{c.image}</code></td>
                      <td class="num">{formatPercent(c.cpu_usage_percent)}</td>
                      <td class="num">{formatBytes(c.memory_usage_bytes)}{c.memory_limit_bytes ? ` of ${formatBytes(c.memory_limit_bytes)}` : ""}</td>
                      <td class="num">{formatBytesPerSecond(c.network_receive_bytes_per_second)}</td>
                      <td class="num">{formatBytesPerSecond(c.network_transmit_bytes_per_second)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <div class="two-col">
        <section aria-labelledby="server-rules-title">
          <h2 id="server-rules-title">Rules</h2>
          {!rules ? <Loading what="rules" /> : rules.length === 0 ? <p class="state">No rule for this server alone (fleet rules apply to it too).</p> : (
            <ul class="plain">
              {rules.map((r) => (
                <li key={r.id}><span class={`pill ${r.state}`}>{r.state}</span> {r.name} <code class="muted">{conditionText(r)}</code></li>
              ))}
            </ul>
          )}
          <p><Link href="/rules">All rules</Link></p>
        </section>
        <section aria-labelledby="server-events-title">
          <h2 id="server-events-title">Latest alerts</h2>
          {!events ? <Loading what="alerts" /> : events.length === 0 ? <p class="state">No alert events for this server.</p> : (
            <ul class="plain">
              {events.map((e) => (
                <li key={e.id}><span class={`pill ${e.status}`}>{e.status}</span> {e.rule_name} · <Time value={e.started_at} now={now} /></li>
              ))}
            </ul>
          )}
          <p><Link href={`/events?server=${server.id}`}>All events of this server</Link></p>
        </section>
      </div>
    </>
  );
}

export function ServerPage({ id, me }: { id: number; me: Me }) {
  const [server, setServer] = useState<ServerInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<MetricsFrame | null>(null);
  const [liveState, setLiveState] = useState<LiveState>("connecting");
  const [range, setRange] = useState<RangeKey>("1h");
  const [charts, setCharts] = useState<Data[] | null>(null);
  const [span, setSpan] = useState<[number, number]>([0, 0]);
  const [chartError, setChartError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = useNow();
  const canEdit = hasRole(me, "editor");

  useEffect(() => {
    const ctl = new AbortController();
    setServer(null);
    setError(null);
    api<ServerInfo>(`/api/v1/servers/${id}`, { signal: ctl.signal })
      .then(setServer)
      .catch((e) => e instanceof ApiError && setError(e.status === 404 ? "This server does not exist (any more)." : e.message));
    const stop = openLive<MetricsFrame>(`/ws/metrics/${id}`, {
      onState: (s, code) => {
        setLiveState(s);
        if (code === 4404) setError("This server does not exist (any more).");
      },
      onMessage: (f) => f.type === "metrics" && setLive(f),
    });
    return () => {
      ctl.abort();
      stop();
    };
  }, [id]);

  useEffect(() => {
    const ctl = new AbortController();
    const seconds = RANGES.find((r) => r.key === range)!.seconds;
    const q = rangeQuery(seconds, Date.now());
    setSpan([q.start, q.end]);
    setChartError(null);
    const fetchMetric = (metric: string) =>
      api<{ points: [number, number][] }>(
        `/api/v1/metrics/servers/${id}/range?metric=${metric}&start=${q.start}&end=${q.end}&step=${q.step}`,
        { signal: ctl.signal },
      ).then((r) => r.points);
    Promise.all(CHARTS.map((c) => Promise.all(c.metrics.map(fetchMetric)).then(alignSeries)))
      .then(setCharts)
      .catch((e) => e instanceof ApiError && setChartError(e.message));
    return () => ctl.abort();
  }, [id, range]);

  // The last hour moves with the live values.
  useEffect(() => {
    if (!live || range !== "1h") return;
    const t = Date.parse(live.timestamp) / 1000;
    setCharts((prev) => prev && prev.map((d, i) => appendPoint(d, t, CHARTS[i].metrics.map((m) => live.metrics[m] ?? null), 3600)));
  }, [live]);

  const remove = async () => {
    try {
      await api(`/api/v1/servers/${id}`, { method: "DELETE" });
      navigate("/servers");
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  const title = server?.name ?? (error ? "Server" : `Server ${id}`);
  return (
    <Page
      title={title}
      actions={
        canEdit && server && !editing && (
          <>
            <button type="button" onClick={() => setEditing(true)}>Edit</button>
            {confirmDelete ? (
              <>
                <button type="button" class="danger" onClick={remove}>Delete permanently</button>
                <button type="button" onClick={() => setConfirmDelete(false)}>Keep</button>
              </>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>Delete</button>
            )}
          </>
        )
      }
    >
      <p class="crumbs"><Link href="/servers">← All servers</Link></p>
      {error && <ErrorNote message={error} />}
      {confirmDelete && <p class="notice" role="alert">Deleting {server?.name} also deletes its rules; its alert events stay as history.</p>}
      {editing && server && (
        <ServerForm title="Edit server" initial={server} onCancel={() => setEditing(false)}
          onSaved={(s) => { setServer(s); setEditing(false); }} />
      )}
      {server && (
        <dl class="facts">
          <div><dt>Instance</dt><dd>{server.instance}</dd></div>
          <div><dt>Job</dt><dd>{server.job_name}</dd></div>
          {server.description && <div><dt>Description</dt><dd>{server.description}</dd></div>}
          <div><dt>Status</dt><dd>{live ? <span class={`pill ${live.up ? "up" : "down"}`}>{live.up ? "Up" : "Down"}</span> : "—"}</dd></div>
        </dl>
      )}
      <section aria-labelledby="live-title">
        <h2 id="live-title">Now</h2>
        <p class="live" role="status">
          <span class={`dot ${liveState}`} aria-hidden="true" />
          {live ? <>Live · updated <Time value={live.timestamp} now={now} /></> : liveState === "connecting" ? "Connecting…" : "Connection lost; reconnecting…"}
        </p>
        {live ? (
          <ul class="cards">
            {CARDS.map((c) => (
              <li class="card stat">
                <span class="stat-label">{c.label}</span>
                <span class="stat-value" data-metric={c.key}>{c.key === "uptime_seconds" ? formatUptime(live.metrics[c.key]) : formatMetric(c.key, live.metrics[c.key])}</span>
              </li>
            ))}
          </ul>
        ) : (
          !error && <Loading what="live values" />
        )}
      </section>
      <section aria-labelledby="history-title">
        <div class="section-head">
          <h2 id="history-title">History</h2>
          <div class="segmented" role="group" aria-label="History range">
            {RANGES.map((r) => (
              <button type="button" aria-pressed={range === r.key} onClick={() => setRange(r.key)}>{r.label}</button>
            ))}
          </div>
        </div>
        {chartError && <ErrorNote message={chartError} />}
        {!charts && !chartError && <Loading what="history" />}
        {charts && (
          <div class="charts">
            {CHARTS.map((c, i) => <Chart key={c.title} title={c.title} series={c.series} data={charts[i]} format={c.format} yMax={c.yMax}
              yFloor={c.yFloor} window={span} />)}
          </div>
        )}
      </section>
      {server && <Related server={server} />}
    </Page>
  );
}
