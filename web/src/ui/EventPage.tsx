// One alert event, the page a notification links to: what fired, where,
// since when, its labels and value, its notification, live from
// /ws/events; editors acknowledge or silence it here.
import { useEffect, useState } from "preact/hooks";
import { api, hasRole, type Me } from "../lib/api";
import { attemptsText, channelAnchor, type EventNotification } from "../lib/channels";
import { ApiError } from "../lib/errors";
import { activeSilence, conditionSentence, withNotifications, type AlertEvent, type SilenceWindow } from "../lib/events";
import { formatLoad } from "../lib/format";
import { openLive } from "../lib/live";
import { ErrorNote, Link, Loading, Page, Time, useNow } from "./common";
import { EventActions } from "./EventActions";

// Each delivery of this event: to which channel, what, and how it went.
function Notifications({ items, now }: { items: EventNotification[]; now: number }) {
  return (
    <>
      <h2>Notifications</h2>
      {items.length === 0 ? <p class="state">No notification was sent for this event.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Channel</th><th scope="col">Type</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Sent</th></tr>
            </thead>
            <tbody>
              {items.map((n, i) => (
                <tr key={i}>
                  <th scope="row">
                    {n.channel_id !== null ? <Link href={`/channels#${channelAnchor(n.channel_id)}`}>{n.channel}</Link> : n.channel}
                    {n.channel_id === null && <span class="sub">from the environment</span>}
                  </th>
                  <td>{n.type}</td>
                  <td>{n.kind}</td>
                  <td>
                    <span class={`pill ${n.status}`}>{n.status}</span>
                    <span class="sub">{attemptsText(n.attempts)}</span>
                    {n.last_error && <span class="sub wrap">{n.last_error}</span>}
                  </td>
                  <td><Time value={n.sent_at} now={now} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function EventPage({ id, me }: { id: number; me: Me }) {
  const [event, setEvent] = useState<AlertEvent | null>(null);
  // A live frame or an acknowledgement's answer may not carry `notifications`.
  const update = (next: AlertEvent) => setEvent((old) => withNotifications(next, old));
  const [server, setServer] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [silences, setSilences] = useState<(SilenceWindow & { comment: string | null })[]>([]);
  const now = useNow();

  useEffect(() => {
    const ctl = new AbortController();
    setEvent(null);
    setError(null);
    api<AlertEvent>(`/api/v1/alerts/events/${id}`, { signal: ctl.signal })
      .then((e) => {
        setEvent(e);
        if (e.server_id !== null)
          api<{ name: string }>(`/api/v1/servers/${e.server_id}`, { signal: ctl.signal })
            .then((s) => setServer(s.name))
            .catch(() => setServer(null)); // deleted since: the instance label still says where
      })
      .catch((e) => e instanceof ApiError && setError(e.status === 404 ? "This alert event does not exist (any more)." : e.message));
    api<(SilenceWindow & { comment: string | null })[]>("/api/v1/alerts/silences/?limit=1000", { signal: ctl.signal })
      .then(setSilences)
      .catch(() => setSilences([])); // the event still shows; only "silenced until" is missing
    const stop = openLive<{ type: string; event?: AlertEvent }>("/ws/events", {
      onMessage: (m) => { if (m.type === "alert_event" && m.event?.id === id) update(m.event); },
    });
    return () => { ctl.abort(); stop(); };
  }, [id]);

  if (error) return <Page title="Alert event"><ErrorNote message={error} /><p><Link href="/events">All events</Link></p></Page>;
  if (!event) return <Page title="Alert event"><Loading what="the event" /></Page>;
  const labels = Object.entries(event.labels ?? {});
  const silence = activeSilence(event, silences, now);
  return (
    <Page title={event.rule_name} actions={hasRole(me, "editor") && <EventActions e={event} onChanged={update} onError={setError}
      silencedFor={silence ? "Silenced" : undefined} />}>
      <p class="crumbs"><Link href="/events">← All events</Link></p>
      <dl class="facts">
        <div><dt>Status</dt><dd><span class={`pill ${event.status}`}>{event.status}</span>{event.acknowledged && <span class="sub">acknowledged</span>}</dd></div>
        <div><dt>Severity</dt><dd><span class={`sev ${event.severity}`}>{event.severity}</span></dd></div>
        <div><dt>Server</dt><dd>{event.server_id !== null ? <Link href={`/servers/${event.server_id}`}>{server ?? `#${event.server_id}`}</Link> : (event.labels?.instance ?? "—")}</dd></div>
        <div><dt>Value</dt><dd>{event.value === null ? "—" : formatLoad(event.value)}<span class="sub">{conditionSentence(event)}</span></dd></div>
        <div><dt>Started</dt><dd><Time value={event.started_at} now={now} /></dd></div>
        <div><dt>Resolved</dt><dd><Time value={event.resolved_at} now={now} /></dd></div>
        {silence && <div><dt>Silenced until</dt><dd><Time value={silence.ends_at} now={now} />{silence.comment && <span class="sub">{silence.comment}</span>}</dd></div>}
        <div><dt>Notification</dt><dd>{event.notification_status}{event.last_notified_at && <span class="sub"><Time value={event.last_notified_at} now={now} /></span>}</dd></div>
      </dl>
      {event.message && <p class="message">{event.message}</p>}
      {event.notifications && <Notifications items={event.notifications} now={now} />}
      <h2>Labels</h2>
      {labels.length === 0 ? <p class="state">This series has no labels.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Label</th><th scope="col">Value</th></tr></thead>
            <tbody>{labels.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{v}</code></td></tr>)}</tbody>
          </table>
        </div>
      )}
      <p>{event.rule_id !== null && <Link href={`/events?rule=${event.rule_id}`}>Every event of this rule</Link>}</p>
    </Page>
  );
}
