// Alert events: the newest first, live from /ws/events, filtered by status,
// severity, server and rule (kept in the address); editors acknowledge a
// firing event or silence it (1 h … 7 d or a custom length).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { choiceMs, formatDuration, type LengthChoice } from "../lib/duration";
import { ApiError } from "../lib/errors";
import {
  ANY_EVENT, eventsQuery, filterEvents, filterFromSearch, filterToSearch, matchesFilter, silenceFor, upsertEvent,
  type AlertEvent, type EventFilter,
} from "../lib/events";
import type { ServerInfo } from "../lib/fleet";
import { formatLoad } from "../lib/format";
import { openLive, type LiveState } from "../lib/live";
import type { Rule } from "../lib/rules";
import { Empty, ErrorNote, FilterSelect, Link, Loading, Page, Time, useNow } from "./common";
import { SilenceLength } from "./SilenceLength";
import { useLoad } from "./useLoad";

function EventActions({ e, onChanged, onError }: { e: AlertEvent; onChanged: (e: AlertEvent) => void; onError: (m: string) => void }) {
  const [length, setLength] = useState<LengthChoice>({ preset: "1", custom: "" });
  const [tried, setTried] = useState(false);
  const [silenced, setSilenced] = useState<string | null>(null);
  const ack = async () => {
    try {
      onChanged(await api<AlertEvent>(`/api/v1/alerts/events/${e.id}/ack`, { method: "POST" }));
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  const silence = async () => {
    setTried(true);
    const ms = choiceMs(length);
    if (ms === null) return;
    try {
      await api("/api/v1/alerts/silences/", { method: "POST", body: silenceFor(e, ms, Date.now()) });
      setSilenced(`Silenced for ${formatDuration(ms)}`);
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  return (
    <div class="row-actions">
      {e.status === "firing" && !e.acknowledged && <button type="button" onClick={ack}>Acknowledge</button>}
      {e.status === "firing" && (silenced ? <span class="sub" role="status">{silenced}</span> : (
        <>
          <SilenceLength label="Silence for" compact value={length} onChange={setLength} showErrors={tried} />
          <button type="button" onClick={silence}>Silence</button>
        </>
      ))}
    </div>
  );
}

export function EventsPage({ me }: { me: Me }) {
  const [filter, setFilter] = useState<EventFilter>(() => filterFromSearch(location.search));
  const [events, setEvents] = useState<AlertEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>("connecting");
  const names = useLoad((signal) => Promise.all([listAll<ServerInfo>("/api/v1/servers/", signal), listAll<Rule>("/api/v1/alerts/rules/", signal)]));
  const [servers, rules] = names.data ?? [[], []];
  const now = useNow();
  const canEdit = hasRole(me, "editor");

  // The address follows the filter (replaceState: filters are not pages).
  useEffect(() => {
    const path = `/events${filterToSearch(filter)}`;
    if (location.pathname + location.search !== path) history.replaceState(null, "", path);
  }, [filter]);

  // The list for this filter, then live frames (those that match it) merged in.
  useEffect(() => {
    const ctl = new AbortController();
    setEvents(null);
    setError(null);
    api<AlertEvent[]>(eventsQuery(filter), { signal: ctl.signal })
      .then((list) => setEvents((prev) => (prev ?? []).reduce((acc, e) => upsertEvent(acc, e), list)))
      .catch((e) => e instanceof ApiError && setError(e.message));
    const stop = openLive<{ type: string; event?: AlertEvent }>("/ws/events", {
      onState: setLive,
      onMessage: (m) => {
        if (m.type === "alert_event" && m.event && matchesFilter(m.event, filter)) setEvents((prev) => upsertEvent(prev ?? [], m.event!));
      },
    });
    return () => { ctl.abort(); stop(); };
  }, [filter.status, filter.server, filter.rule]);

  const shown = useMemo(() => (events ? filterEvents(events, filter) : []), [events, filter]);
  const set = (k: keyof EventFilter) => (v: string) => setFilter((f) => ({ ...f, [k]: v }));
  const serverName = (id: number | null) => (id === null ? null : servers.find((s) => s.id === id)?.name ?? `#${id}`);
  const filtered = filter.status || filter.severity || filter.server || filter.rule;

  return (
    <Page title="Events">
      <div class="toolbar">
        <FilterSelect id="ev-status" label="Status" value={filter.status} onChange={set("status")}
          options={[{ value: "", label: "any" }, { value: "firing", label: "firing" }, { value: "resolved", label: "resolved" }]} />
        <FilterSelect id="ev-severity" label="Severity" value={filter.severity} onChange={set("severity")}
          options={["", "info", "warning", "critical"].map((s) => ({ value: s, label: s || "any" }))} />
        <FilterSelect id="ev-server" label="Server" value={filter.server} onChange={set("server")}
          options={[{ value: "", label: "any" }, ...servers.map((s) => ({ value: String(s.id), label: s.name }))]} />
        <FilterSelect id="ev-rule" label="Rule" value={filter.rule} onChange={set("rule")}
          options={[{ value: "", label: "any" }, ...rules.map((r) => ({ value: String(r.id), label: r.name }))]} />
        {filtered && <button type="button" onClick={() => setFilter(ANY_EVENT)}>Clear filters</button>}
        <p class="live" role="status">
          <span class={`dot ${live}`} aria-hidden="true" />
          {live === "open" ? "Live" : live === "connecting" ? "Connecting…" : "Connection lost; reconnecting…"}
        </p>
      </div>
      {error && <ErrorNote message={error} />}
      {!events && !error && <Loading what="events" />}
      {events && shown.length === 0 && <Empty>{filtered ? "No event matches these filters." : "No alert events yet."}</Empty>}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Rule</th><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Server</th>
                <th scope="col" class="num">Value</th><th scope="col">Started</th><th scope="col">Resolved</th><th scope="col">Notification</th>
                {canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => {
                const server = serverName(e.server_id);
                return (
                  <tr key={e.id}>
                    <th scope="row">{e.rule_name}{e.message && <span class="sub">{e.message}</span>}</th>
                    <td><span class={`pill ${e.status}`}>{e.status}</span>{e.acknowledged && <span class="sub">acknowledged</span>}</td>
                    <td><span class={`sev ${e.severity}`}>{e.severity}</span></td>
                    <td>{server ? <Link href={`/servers/${e.server_id}`}>{server}</Link> : (e.labels?.instance ?? "—")}</td>
                    <td class="num">{e.value === null ? "—" : formatLoad(e.value)}</td>
                    <td><Time value={e.started_at} now={now} /></td>
                    <td><Time value={e.resolved_at} now={now} /></td>
                    <td>{e.notification_status}{e.last_notified_at && <span class="sub"><Time value={e.last_notified_at} now={now} /></span>}</td>
                    {canEdit && (
                      <td>
                        <EventActions e={e} onError={setError} onChanged={(x) => setEvents((prev) => upsertEvent(prev ?? [], x))} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
