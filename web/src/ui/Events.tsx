// Alert events: the newest first, live from /ws/events, filtered by status,
// severity and rule; editors acknowledge a firing event or silence it.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, hasRole, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import { filterEvents, silenceFor, upsertEvent, type AlertEvent, type EventFilter } from "../lib/events";
import { formatLoad } from "../lib/format";
import { openLive, type LiveState } from "../lib/live";
import { Empty, ErrorNote, Loading, Page, Time, useNow } from "./common";

const HOURS = [1, 4, 24];

function EventActions({ e, onChanged, onError }: { e: AlertEvent; onChanged: (e: AlertEvent) => void; onError: (m: string) => void }) {
  const [hours, setHours] = useState("1");
  const [silenced, setSilenced] = useState<string | null>(null);
  const ack = async () => {
    try {
      onChanged(await api<AlertEvent>(`/api/v1/alerts/events/${e.id}/ack`, { method: "POST" }));
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  const silence = async () => {
    try {
      await api("/api/v1/alerts/silences/", { method: "POST", body: silenceFor(e, Number(hours), Date.now()) });
      setSilenced(`Silenced for ${hours} h`);
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  return (
    <div class="row-actions">
      {e.status === "firing" && !e.acknowledged && <button type="button" onClick={ack}>Acknowledge</button>}
      {e.status === "firing" && (silenced ? <span class="sub" role="status">{silenced}</span> : (
        <>
          <label class="sr-only" for={`silence-${e.id}`}>Silence for</label>
          <select id={`silence-${e.id}`} class="compact" value={hours} onChange={(x) => setHours((x.currentTarget as HTMLSelectElement).value)}>
            {HOURS.map((h) => <option value={String(h)}>{h} h</option>)}
          </select>
          <button type="button" onClick={silence}>Silence</button>
        </>
      ))}
    </div>
  );
}

export function EventsPage({ me }: { me: Me }) {
  const [events, setEvents] = useState<AlertEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>("connecting");
  const [filter, setFilter] = useState<EventFilter>({ status: "", severity: "", text: "" });
  const now = useNow();
  const canEdit = hasRole(me, "editor");

  useEffect(() => {
    const ctl = new AbortController();
    api<AlertEvent[]>("/api/v1/alerts/events/?limit=200", { signal: ctl.signal })
      .then((list) => setEvents((prev) => (prev ?? []).reduce((acc, e) => upsertEvent(acc, e), list)))
      .catch((e) => e instanceof ApiError && setError(e.message));
    const stop = openLive<{ type: string; event?: AlertEvent }>("/ws/events", {
      onState: setLive,
      onMessage: (m) => {
        if (m.type === "alert_event" && m.event) setEvents((prev) => upsertEvent(prev ?? [], m.event!));
      },
    });
    return () => { ctl.abort(); stop(); };
  }, []);

  const shown = useMemo(() => (events ? filterEvents(events, filter) : []), [events, filter]);
  const set = (k: keyof EventFilter) => (e: Event) => setFilter((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  return (
    <Page title="Events">
      <div class="toolbar">
        <div class="field inline narrow">
          <label for="ev-status">Status</label>
          <select id="ev-status" value={filter.status} onChange={set("status")}>
            <option value="">any</option><option value="firing">firing</option><option value="resolved">resolved</option>
          </select>
        </div>
        <div class="field inline narrow">
          <label for="ev-severity">Severity</label>
          <select id="ev-severity" value={filter.severity} onChange={set("severity")}>
            <option value="">any</option><option value="info">info</option><option value="warning">warning</option><option value="critical">critical</option>
          </select>
        </div>
        <div class="field inline">
          <label for="ev-rule">Rule name</label>
          <input id="ev-rule" type="search" value={filter.text} onInput={set("text")} />
        </div>
        <p class="live" role="status">
          <span class={`dot ${live}`} aria-hidden="true" />
          {live === "open" ? "Live" : live === "connecting" ? "Connecting…" : "Connection lost; reconnecting…"}
        </p>
      </div>
      {error && <ErrorNote message={error} />}
      {!events && !error && <Loading what="events" />}
      {events && shown.length === 0 && <Empty>{events.length === 0 ? "No alert events yet." : "No event matches these filters."}</Empty>}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Rule</th><th scope="col">Status</th><th scope="col">Severity</th><th scope="col" class="num">Value</th>
                <th scope="col">Started</th><th scope="col">Resolved</th><th scope="col">Notification</th>
                {canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.rule_name}{e.message && <span class="sub">{e.message}</span>}</th>
                  <td><span class={`pill ${e.status}`}>{e.status}</span>{e.acknowledged && <span class="sub">acknowledged</span>}</td>
                  <td>{e.severity}</td>
                  <td class="num">{e.value === null ? "—" : formatLoad(e.value)}</td>
                  <td><Time value={e.started_at} now={now} /></td>
                  <td><Time value={e.resolved_at} now={now} /></td>
                  <td>{e.notification_status}</td>
                  {canEdit && (
                    <td>
                      <EventActions e={e} onError={setError} onChanged={(x) => setEvents((prev) => upsertEvent(prev ?? [], x))} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
