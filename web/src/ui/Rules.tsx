// Alert rules: the list with each rule's state, and (for editors) the form
// with every field, errors shown at their field from the 422's loc, and a
// preview of every series and whether it would fire, before saving.
import { useEffect, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { TYPE_LABELS, type Channel } from "../lib/channels";
import { ApiError } from "../lib/errors";
import type { ServerInfo } from "../lib/fleet";
import { formatLoad } from "../lib/format";
import { CHANNELS, COMPARISONS, EMPTY_RULE, formToBody, ruleToForm, SEVERITIES, type Rule, type RuleFormValues } from "../lib/rules";
import { Check, CheckGroup, Choice, ConfirmButton, Empty, ErrorNote, Field, Link, Loading, Page, TextArea, Time, useNow } from "./common";
import { FormCard, useForm } from "./forms";

const FIELDS = ["name", "server_id", "metric_name", "promql", "comparison", "threshold", "for_sec", "recovery_threshold",
  "severity", "channel", "description", "channel_ids", "group_wait_sec", "group_interval_sec"];

interface Preview {
  query: string;
  would_fire: boolean;
  series: { labels: Record<string, string>; value: number | null; would_fire: boolean; server_id: number | null }[];
}

function labelsText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(", ")}}` : "{}";
}

function PreviewTable({ preview }: { preview: Preview }) {
  return (
    <section class="preview" aria-labelledby="preview-title">
      <h3 id="preview-title">
        Preview: {preview.series.length} series, {preview.would_fire ? "would fire" : "would not fire"}
      </h3>
      {preview.series.length === 0 ? (
        <p class="state">The query returns no series right now.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Series</th><th scope="col" class="num">Value</th><th scope="col">Would fire</th></tr></thead>
            <tbody>
              {preview.series.map((s) => (
                <tr>
                  <td><code>{labelsText(s.labels)}</code></td>
                  <td class="num">{s.value === null ? "—" : formatLoad(s.value)}</td>
                  <td><span class={`pill ${s.would_fire ? "firing" : "inactive"}`}>{s.would_fire ? "Yes" : "No"}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RuleForm(props: { initial?: Rule; servers: ServerInfo[]; channels: Channel[]; onSaved: () => void; onCancel: () => void }) {
  const form = useForm<RuleFormValues>(props.initial ? ruleToForm(props.initial) : EMPTY_RULE, FIELDS);
  const { values: v, set, errors } = form;
  const [preview, setPreview] = useState<Preview | null>(null);

  const runPreview = async () => {
    setPreview(null);
    const p = await form.run(() => api<Preview>("/api/v1/alerts/rules/preview", { method: "POST", body: formToBody(v) }));
    if (p) setPreview(p);
  };

  const submit = async () => {
    const saved = await form.run(() => props.initial
      ? api(`/api/v1/alerts/rules/${props.initial.id}`, { method: "PATCH", body: formToBody(v) }).then(() => true)
      : api("/api/v1/alerts/rules/", { method: "POST", body: formToBody(v) }).then(() => true));
    if (saved) props.onSaved();
  };

  const serverOptions = [{ value: "", label: "All servers" }, ...props.servers.map((s) => ({ value: String(s.id), label: s.name }))];
  return (
    <FormCard wide title={props.initial ? `Edit rule ${props.initial.name}` : "New rule"} onSubmit={submit} onCancel={props.onCancel}
      errors={errors} busy={form.busy} after={preview && <PreviewTable preview={preview} />}
      extraButtons={<button type="button" onClick={runPreview} disabled={form.busy}>Preview</button>}>
      <div class="grid2">
        <Field label="Name" name="name" required value={v.name} onInput={set("name")} error={errors.name} />
        <Choice label="Server" name="server_id" value={v.server} onInput={set("server")} options={serverOptions} error={errors.server_id} />
      </div>
      <TextArea label="PromQL" name="promql" value={v.promql} onInput={set("promql")} error={errors.promql}
        hint="For one server, $instance and $job stand for its values; for all servers, each series is matched by its instance label." />
      <div class="grid4">
        <Choice label="Comparison" name="comparison" value={v.comparison} onInput={set("comparison")}
          options={COMPARISONS.map((c) => ({ value: c, label: c }))} error={errors.comparison} />
        <Field label="Threshold" name="threshold" value={v.threshold} onInput={set("threshold")} error={errors.threshold} />
        <Field label="For (seconds)" name="for_sec" value={v.for_sec} onInput={set("for_sec")} error={errors.for_sec} />
        <Field label="Recovery value" name="recovery_threshold" value={v.recovery_threshold} onInput={set("recovery_threshold")}
          error={errors.recovery_threshold} hint="optional: a firing series resolves only past this value" />
      </div>
      <div class="grid4">
        <Choice label="Severity" name="severity" value={v.severity} onInput={set("severity")}
          options={SEVERITIES.map((c) => ({ value: c, label: c }))} error={errors.severity} />
        <Choice label="Environment channel" name="channel" value={v.channel} onInput={set("channel")}
          options={CHANNELS.map((c) => ({ value: c, label: c }))} error={errors.channel} />
        <Field label="Metric" name="metric_name" value={v.metric_name} onInput={set("metric_name")} error={errors.metric_name}
          hint="optional; from the name when empty" />
      </div>
      <CheckGroup legend="Channels" error={errors.channel_ids}
        hint="Where its alerts go, with the environment channel if one is chosen. With neither, they go to the channels that are default for its severity.">
        {props.channels.length === 0 ? <p class="state">No channels yet (<Link href="/channels">Channels</Link>).</p> : props.channels.map((c) => (
          <Check key={c.id} label={`${c.name} (${TYPE_LABELS[c.type] ?? c.type})`} name={`channel_ids.${c.id}`} checked={v.channel_ids.includes(c.id)}
            onChange={(on) => set("channel_ids")(on ? [...v.channel_ids.filter((x) => x !== c.id), c.id] : v.channel_ids.filter((x) => x !== c.id))} />
        ))}
      </CheckGroup>
      <div class="grid4">
        <Field label="Group wait (seconds)" name="group_wait_sec" value={v.group_wait_sec} onInput={set("group_wait_sec")}
          error={errors.group_wait_sec} hint="alerts within this wait go out as one message; empty: the server's default" />
        <Field label="Group interval (seconds)" name="group_interval_sec" value={v.group_interval_sec} onInput={set("group_interval_sec")}
          error={errors.group_interval_sec} hint="later changes of the group, at most this often; empty: the server's default" />
      </div>
      <Field label="Description" name="description" value={v.description} onInput={set("description")} error={errors.description} />
    </FormCard>
  );
}

export function RulesPage({ me }: { me: Me }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [servers, setServers] = useState<ServerInfo[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [reload, setReload] = useState(0);
  const now = useNow();
  const canEdit = hasRole(me, "editor");

  useEffect(() => {
    const ctl = new AbortController();
    Promise.all([listAll<Rule>("/api/v1/alerts/rules/", ctl.signal), listAll<ServerInfo>("/api/v1/servers/", ctl.signal),
      // The form's channel choices: without them the rules still show.
      listAll<Channel>("/api/v1/alerts/channels/", ctl.signal).catch((e) => { if (e instanceof ApiError) return []; throw e; })])
      .then(([r, s, c]) => { setRules(r); setServers(s); setChannels(c); setError(null); })
      .catch((e) => e instanceof ApiError && setError(e.message));
    return () => ctl.abort();
  }, [reload]);

  const serverName = (id: number | null) => (id === null ? "All servers" : servers.find((s) => s.id === id)?.name ?? `#${id}`);
  const remove = async (r: Rule) => {
    try {
      await api(`/api/v1/alerts/rules/${r.id}`, { method: "DELETE" });
      setReload((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Rules" actions={canEdit && !editing && <button type="button" class="primary" onClick={() => setEditing("new")}>New rule</button>}>
      {editing && (
        <RuleForm key={editing === "new" ? "new" : editing.id} initial={editing === "new" ? undefined : editing} servers={servers} channels={channels}
          onCancel={() => setEditing(null)} onSaved={() => { setEditing(null); setReload((n) => n + 1); }} />
      )}
      {error && <ErrorNote message={error} />}
      {!rules && !error && <Loading what="rules" />}
      {rules && rules.length === 0 && <Empty>No alert rules yet.{canEdit ? " Use “New rule” to write the first one." : ""}</Empty>}
      {rules && rules.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">State</th><th scope="col">Server</th><th scope="col">Condition</th>
                <th scope="col">Severity</th><th scope="col" class="num">Last value</th><th scope="col">Last evaluated</th>
                {canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}{!r.is_active && <span class="sub">inactive</span>}</th>
                  <td>
                    <span class={`pill ${r.state}`}>{r.state}</span>
                    {r.state === "error" && r.last_error && <span class="sub">{r.last_error}</span>}
                  </td>
                  <td>{serverName(r.server_id)}</td>
                  <td><code>{r.comparison ?? ""} {r.threshold ?? ""}</code>{r.for_sec > 0 && <span class="sub">for {r.for_sec} s</span>}</td>
                  <td>{r.severity}</td>
                  <td class="num">{r.last_value === null ? "—" : formatLoad(r.last_value)}</td>
                  <td><Time value={r.last_evaluated_at} now={now} /></td>
                  {canEdit && (
                    <td class="row-actions">
                      <button type="button" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>Edit</button>
                      <ConfirmButton label="Delete" question="Delete now?" name={r.name} onConfirm={() => remove(r)} />
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
