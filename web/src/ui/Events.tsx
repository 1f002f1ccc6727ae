// Alert events: the newest first, live from /ws/events, filtered by status,
// severity, server and rule (kept in the address); editors acknowledge a
// firing event or silence it (1 h … 7 d or a custom length).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import {
  ANY_EVENT, eventsQuery, filterEvents, filterFromSearch, filterToSearch, matchesFilter, upsertEvent,
  type AlertEvent, type EventFilter,
} from "../lib/events";
import type { ServerInfo } from "../lib/fleet";
import { formatLoad } from "../lib/format";
import { openLive, type LiveState } from "../lib/live";
import type { Rule } from "../lib/rules";
import { Empty, ErrorNote, FilterSelect, Link, Loading, Page, Time, useNow } from "./common";
import { EventActions } from "./EventActions";
import { useLoad } from "./useLoad";

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
                    <th scope="row"><Link href={`/events/${e.id}`}>{e.rule_name}</Link>{e.message && <span class="sub">{e.message}</span>}</th>
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
