// Notification channels: every role sees each channel (its secrets only as
// "set"), its last deliveries on demand; editors create, edit, delete and
// "Send test", whose outcome is said in words on the channel's card.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import {
  attemptsText, CHANNEL_TYPES, channelAnchor, channelErrorFields, channelToForm, createBody, deliveriesPath, EMPTY_CHANNEL,
  isSet, patchBody, SECURITY_CHOICES, settingsSummary, settingValue, SEVERITY_ORDER, testOutcome, TYPE_LABELS,
  visibleSettings, withSetting, type Channel, type ChannelFormValues, type ChannelType, type Delivery, type SettingSpec,
  type TestOutcome, type WebhookAuth,
} from "../lib/channels";
import { ApiError } from "../lib/errors";
import { Check, CheckGroup, Choice, ConfirmButton, Empty, ErrorNote, Field, Link, Loading, Page, TextArea, Time, useNow } from "./common";
import { FormCard, useForm, type Errors } from "./forms";
import { useLoad } from "./useLoad";

const AUTH_CHOICES: { value: WebhookAuth; label: string }[] = [
  { value: "none", label: "None" },
  { value: "bearer", label: "Bearer token" },
  { value: "basic", label: "Basic auth (username and password)" },
];

function SettingField(props: { spec: SettingSpec; v: ChannelFormValues; stored: boolean; errors: Errors; onInput: (text: string) => void }) {
  const { spec, v, stored } = props;
  const name = `settings.${spec.key}`;
  const value = settingValue(v, spec.key);
  const error = props.errors[name];
  if (spec.kind === "security")
    return <Choice label={spec.label} name={name} value={value || "starttls"} onInput={props.onInput} error={error}
      options={SECURITY_CHOICES.map((c) => ({ value: c, label: c === "none" ? "none (plain text)" : c.toUpperCase() }))} />;
  if (spec.kind === "list")
    return <TextArea label={spec.label} name={name} value={value} onInput={props.onInput} error={error} hint={spec.hint} />;
  // A stored secret is never shown: it stays unless something is typed.
  const hint = spec.secret && stored ? `•••• set — leave empty to keep${spec.hint ? `; ${spec.hint}` : ""}` : spec.hint;
  return <Field label={spec.label} name={name} value={value} onInput={props.onInput} error={error} hint={hint}
    type={spec.kind === "token" ? "password" : spec.kind === "url" ? "url" : "text"}
    autoComplete={spec.secret ? "new-password" : "off"} />;
}

function ChannelForm(props: { initial?: Channel; onSaved: () => void; onCancel: () => void }) {
  const init = props.initial;
  const form = useForm<ChannelFormValues>(init ? channelToForm(init) : EMPTY_CHANNEL, (v) => channelErrorFields(v.type, v.auth));
  const { values: v, set, setValues, errors } = form;
  // A secret of the stored channel's own type; a new type starts from nothing.
  const stored = (key: string) => !!init && init.type === v.type && isSet(init, key);

  const submit = async () => {
    const saved = await form.run(() => init
      ? api(`/api/v1/alerts/channels/${init.id}`, { method: "PATCH", body: patchBody(v, init) }).then(() => true)
      : api("/api/v1/alerts/channels/", { method: "POST", body: createBody(v) }).then(() => true));
    if (saved) props.onSaved();
  };
  const toggle = (list: string[], item: string, on: boolean) => (on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item));
  const setting = (spec: SettingSpec) => (
    <div key={`${v.type}.${spec.key}`}>
      <SettingField spec={spec} v={v} stored={stored(spec.key)} errors={errors}
        onInput={(text) => setValues((old) => withSetting(old, spec.key, text))} />
      {spec.secret && !spec.required && stored(spec.key) && (
        <Check label={`Remove the stored ${spec.label.toLowerCase()}`} name={`remove.${spec.key}`}
          checked={v.remove.includes(spec.key)} onChange={(on) => set("remove")(toggle(v.remove, spec.key, on))} />
      )}
    </div>
  );

  return (
    <FormCard wide autoFocus={!!init} title={init ? `Edit channel ${init.name}` : "New channel"} onSubmit={submit}
      onCancel={props.onCancel} errors={errors} busy={form.busy}>
      <div class="grid2">
        <Field label="Name" name="name" required value={v.name} onInput={set("name")} error={errors.name}
          inputRef={(el) => el && !init && !v.name && document.activeElement?.tagName !== "INPUT" && el.focus()} />
        <Choice label="Type" name="type" value={v.type} onInput={(t) => set("type")(t as ChannelType)} error={errors.type}
          options={CHANNEL_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))} />
      </div>
      {init && init.type !== v.type && (
        <p class="notice">A new type replaces every setting: fill in all of them, secrets included.</p>
      )}
      <fieldset class="group">
        <legend>{TYPE_LABELS[v.type]} settings</legend>
        <div class="grid2">{visibleSettings(v.type, v.auth).filter((spec) => !spec.auth).map(setting)}</div>
        {v.type === "webhook" && (
          <>
            <Choice label="Authentication" name="auth" value={v.auth} onInput={(a) => set("auth")(a as WebhookAuth)}
              options={AUTH_CHOICES} />
            <div class="grid2">{visibleSettings(v.type, v.auth).filter((spec) => spec.auth).map(setting)}</div>
          </>
        )}
        {errors.settings && <p class="field-error">{errors.settings}</p>}
      </fieldset>
      <CheckGroup legend="Default for severities" error={errors.default_for_severities}
        hint="A rule that names no channel sends its alerts of these severities here.">
        {SEVERITY_ORDER.map((sev) => (
          <Check key={sev} label={sev} name={`default_for_severities.${sev}`} checked={v.default_for_severities.includes(sev)}
            onChange={(on) => set("default_for_severities")(toggle(v.default_for_severities, sev, on))} />
        ))}
      </CheckGroup>
      <Check label="Send resolved notifications" name="send_resolved" checked={v.send_resolved} onChange={set("send_resolved")}
        hint="Also tell this channel when an alert resolves." />
      {errors.send_resolved && <p class="field-error">{errors.send_resolved}</p>}
    </FormCard>
  );
}

// The channel's last deliveries, loaded when opened. A 404 on the list means
// this Sentinel records none (yet): said as such, not as an error.
function Deliveries({ channel }: { channel: Channel }) {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();
  const regionId = `deliveries-${channel.id}`;

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    setItems(null);
    setError(null);
    api<Delivery[]>(deliveriesPath(channel.id), { signal: ctl.signal })
      .then(setItems)
      .catch((e) => {
        if (!(e instanceof ApiError)) return;
        if (e.status === 404) setItems([]);
        else setError(e.message);
      });
    return () => ctl.abort();
  }, [open, channel.id]);

  return (
    <div class="deliveries">
      <button type="button" class="disclosure" aria-expanded={open} aria-controls={regionId}
        aria-label={`Last deliveries of ${channel.name}`} onClick={() => setOpen(!open)}>
        <span class="arrow" aria-hidden="true">{open ? "▾" : "▸"}</span> Last deliveries
      </button>
      <div id={regionId} hidden={!open}>
        {open && error && <ErrorNote message={error} />}
        {open && !items && !error && <Loading what="deliveries" />}
        {open && items && items.length === 0 && <p class="state">No deliveries recorded yet.</p>}
        {open && items && items.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr><th scope="col">Alert</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Queued</th><th scope="col">Sent</th></tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={`${d.event_id}-${d.kind}-${d.created_at}`}>
                    <th scope="row"><Link href={`/events/${d.event_id}`}>{d.rule_name || `Event #${d.event_id}`}</Link></th>
                    <td>{d.kind}</td>
                    <td>
                      <span class={`pill ${d.status}`}>{d.status}</span>
                      <span class="sub">{attemptsText(d.attempts)}</span>
                      {d.last_error && <span class="sub wrap">{d.last_error}</span>}
                    </td>
                    <td><Time value={d.created_at} now={now} /></td>
                    <td><Time value={d.sent_at} now={now} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}

function ChannelCard(props: { channel: Channel; canEdit: boolean; focusEdit: boolean; onEdit: () => void; onDeleted: () => void }) {
  const c = props.channel;
  const [note, setNote] = useState<TestOutcome | null>(null);
  const [testing, setTesting] = useState(false);
  const titleId = `${channelAnchor(c.id)}-name`;
  const edit = useRef<HTMLButtonElement>(null);
  // Back from its form (saved or cancelled): the focus returns to its Edit button.
  useEffect(() => { if (props.focusEdit) edit.current?.focus(); }, []);

  const sendTest = async () => {
    setTesting(true);
    setNote({ ok: true, text: "Sending a test message…" });
    try {
      setNote(testOutcome(200, await api(`/api/v1/alerts/channels/${c.id}/test`, { method: "POST" })));
    } catch (e) {
      if (e instanceof ApiError) setNote(testOutcome(e.status, e.body));
      else throw e;
    } finally {
      setTesting(false);
    }
  };
  const remove = async () => {
    try {
      await api(`/api/v1/alerts/channels/${c.id}`, { method: "DELETE" });
      props.onDeleted();
    } catch (e) {
      if (e instanceof ApiError) setNote({ ok: false, text: `Not deleted: ${e.message}` });
    }
  };

  const settings = settingsSummary(c);
  return (
    <article class="card channel" aria-labelledby={titleId}>
      <div class="channel-head">
        <h2 id={titleId}>{c.name}</h2>
        <span class="pill kind">{TYPE_LABELS[c.type] ?? c.type}</span>
        {props.canEdit && (
          <div class="row-actions">
            <button type="button" onClick={sendTest} disabled={testing} aria-label={`Send test to ${c.name}`}>Send test</button>
            <button type="button" ref={edit} onClick={props.onEdit} aria-label={`Edit ${c.name}`}>Edit</button>
            <ConfirmButton label="Delete" question="Delete now?" name={c.name} onConfirm={remove} />
          </div>
        )}
      </div>
      <dl class="facts">
        {settings.map((x) => <div key={x.label}><dt>{x.label}</dt><dd class="wrap">{x.value}</dd></div>)}
        <div><dt>Default for</dt><dd>{c.default_for_severities.length ? c.default_for_severities.join(", ") : "no severity"}</dd></div>
        <div><dt>Resolved alerts</dt><dd>{c.send_resolved ? "sent" : "not sent"}</dd></div>
      </dl>
      {/* Always present, so a screen reader announces the outcome when it appears. */}
      <p role="status" class={note && !testing ? `outcome ${note.ok ? "ok" : "bad"}` : "outcome"}>{note?.text}</p>
      <Deliveries channel={c} />
    </article>
  );
}

export function ChannelsPage({ me }: { me: Me }) {
  const { data: items, error, reload } = useLoad((signal) => listAll<Channel>("/api/v1/alerts/channels/", signal));
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [edited, setEdited] = useState<number | null>(null);
  const canEdit = hasRole(me, "editor");

  // A link to one channel (/channels#channel-3, from an event's notifications).
  useEffect(() => {
    if (items && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [items]);

  const close = (reloadList: boolean) => {
    setEdited(typeof editing === "number" ? editing : null);
    setEditing(null);
    if (reloadList) reload();
  };
  return (
    <Page title="Channels" actions={canEdit && editing === null && (
      <button type="button" class="primary" onClick={() => setEditing("new")}>New channel</button>)}>
      <p class="lede">Where alerts are sent. A rule sends to the channels it names; a rule that names none, to the channels that are default for its severity.</p>
      {editing === "new" && <ChannelForm onCancel={() => close(false)} onSaved={() => close(true)} />}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="channels" />}
      {items && items.length === 0 && <Empty>No channels yet.{canEdit ? " Use “New channel” to add the first one." : ""}</Empty>}
      {items && items.length > 0 && (
        <ul class="channels">
          {items.map((c) => (
            <li key={c.id} id={channelAnchor(c.id)}>
              {editing === c.id
                ? <ChannelForm initial={c} onCancel={() => close(false)} onSaved={() => close(true)} />
                : <ChannelCard channel={c} canEdit={canEdit} focusEdit={edited === c.id} onEdit={() => setEditing(c.id)} onDeleted={reload} />}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
