// Alert rules: the list with each rule's state, and (for editors) the form
// with every field, errors shown at their field from the 422's loc, and a
// preview of every series and whether it would fire, before saving; rule
// files in (a dry run's report first, then the import) and out.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, apiText, hasRole, listAll, type Me } from "../lib/api";
import { TYPE_LABELS, type Channel } from "../lib/channels";
import { ApiError } from "../lib/errors";
import type { ServerInfo } from "../lib/fleet";
import { formatLoad } from "../lib/format";
import {
  EXPORT_FILE_NAME, EXPORT_PATH, MAX_RULE_FILE_BYTES, countsText, importable, importFailure, importPath,
  type ImportFailure, type ImportReport,
} from "../lib/rulefiles";
import {
  CHANNELS, COMPARISONS, conditionText, EMPTY_RULE, formToBody, isEverySeries, ruleToForm, SEVERITIES, textToPairs, type Rule,
  type RuleFormValues,
} from "../lib/rules";
import { Check, CheckGroup, Choice, ConfirmButton, Empty, ErrorNote, Field, Link, Loading, Page, RadioGroup, TextArea, Time, useNow } from "./common";
import { FormCard, useForm } from "./forms";

const FIELDS = ["name", "server_id", "metric_name", "promql", "comparison", "threshold", "for_sec", "recovery_threshold",
  "keep_firing_for_sec", "severity", "channel", "summary", "description", "labels", "annotations", "channel_ids",
  "group_wait_sec", "group_interval_sec"];
// An every-series rule hides its threshold fields: errors about them are
// said for the whole form.
const THRESHOLD_FIELDS = ["comparison", "threshold", "recovery_threshold"];
const fieldsFor = (v: RuleFormValues) => (v.condition === "every" ? FIELDS.filter((f) => !THRESHOLD_FIELDS.includes(f)) : FIELDS);

const LOCKED_HINT = "read-only here: a value spans several lines (edit it in the rule file, or through the API)";
const EVERY_SERIES_LABEL = "Every series the query returns (Prometheus style)";
const CONDITIONS = [
  { value: "threshold", label: "When a series' value passes a limit (e.g. > 90)" },
  { value: "every", label: EVERY_SERIES_LABEL, hint: "Fires for each series the PromQL returns, e.g. absent(…) or a query with its own comparison." },
];

// A rule's condition in its list: "> 90", or "every series".
function Condition({ r }: { r: { threshold?: number | null; comparison?: string | null } }) {
  return isEverySeries(r)
    ? <span class="every" title="Fires for every series the query returns (Prometheus style)">{conditionText(r)}</span>
    : <code>{conditionText(r)}</code>;
}

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
  const form = useForm<RuleFormValues>(props.initial ? ruleToForm(props.initial) : EMPTY_RULE, fieldsFor);
  const { values: v, set, errors } = form;
  const [preview, setPreview] = useState<Preview | null>(null);
  const every = v.condition === "every";
  const locked = v.loaded?.locked ?? [];

  // Labels and annotations are name=value lines: a line without "=" is
  // refused here, the names and values by the server.
  const pairsOk = () => {
    const bad: Record<string, string> = {};
    for (const k of ["labels", "annotations"] as const) {
      const { bad: lines } = textToPairs(v[k]);
      if (lines.length) bad[k] = `Write one name=value a line (not “${lines[0]}”).`;
    }
    form.setErrors(bad);
    return Object.keys(bad).length === 0;
  };

  const runPreview = async () => {
    setPreview(null);
    if (!pairsOk()) return;
    const p = await form.run(() => api<Preview>("/api/v1/alerts/rules/preview", { method: "POST", body: formToBody(v) }));
    if (p) setPreview(p);
  };

  const submit = async () => {
    if (!pairsOk()) return;
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
      {props.initial?.rule_group && (
        <p class="hint">From the rule file group <code>{props.initial.rule_group}</code>: importing that file again updates this rule.</p>
      )}
      <TextArea label="PromQL" name="promql" value={v.promql} onInput={set("promql")} error={errors.promql}
        hint="For one server, $instance and $job stand for its values; for all servers, each series is matched by its instance label." />
      <RadioGroup legend="Condition" name="condition" value={v.condition} onChange={(c) => set("condition")(c as RuleFormValues["condition"])}
        options={CONDITIONS} />
      {!every && (
        <div class="grid4">
          <Choice label="Comparison" name="comparison" value={v.comparison} onInput={set("comparison")}
            options={COMPARISONS.map((c) => ({ value: c, label: c }))} error={errors.comparison} />
          <Field label="Threshold" name="threshold" value={v.threshold} onInput={set("threshold")} error={errors.threshold} />
          <Field label="Recovery value" name="recovery_threshold" value={v.recovery_threshold} onInput={set("recovery_threshold")}
            error={errors.recovery_threshold} hint="optional: a firing series resolves only past this value" />
        </div>
      )}
      <div class="grid4">
        <Field label="For (seconds)" name="for_sec" value={v.for_sec} onInput={set("for_sec")} error={errors.for_sec}
          hint="the condition holds this long before it fires" />
        <Field label="Keep firing (seconds)" name="keep_firing_for_sec" value={v.keep_firing_for_sec} onInput={set("keep_firing_for_sec")}
          error={errors.keep_firing_for_sec} hint="this long after the condition stops holding; not with a recovery value" />
        <Choice label="Severity" name="severity" value={v.severity} onInput={set("severity")}
          options={SEVERITIES.map((c) => ({ value: c, label: c }))} error={errors.severity} />
        <Choice label="Environment channel" name="channel" value={v.channel} onInput={set("channel")}
          options={CHANNELS.map((c) => ({ value: c, label: c }))} error={errors.channel} />
      </div>
      <TextArea label="Summary" name="summary" value={v.summary} onInput={set("summary")} error={errors.summary} rows={1}
        hint="The alert's message, a template as in Prometheus: {{ $labels.instance }}, {{ $value | humanize }}. Empty: Sentinel's own message." />
      <TextArea label="Description" name="description" value={v.description} onInput={set("description")} error={errors.description}
        rows={2} hint="optional; a template like the summary" />
      <div class="grid2">
        <TextArea label="Labels" name="labels" value={v.labels} onInput={set("labels")} error={errors.labels} rows={2}
          readOnly={locked.includes("labels")} placeholder="team=ops"
          hint={locked.includes("labels") ? LOCKED_HINT : "one name=value a line, added to every alert (not severity); values are templates"} />
        <TextArea label="Annotations" name="annotations" value={v.annotations} onInput={set("annotations")} error={errors.annotations} rows={2}
          readOnly={locked.includes("annotations")} placeholder="runbook_url=https://wiki.example/cpu"
          hint={locked.includes("annotations") ? LOCKED_HINT : "one name=value a line (summary and description have their fields)"} />
      </div>
      <CheckGroup legend="Channels" error={errors.channel_ids}
        hint="Where its alerts go, with the environment channel if one is chosen. With neither, they go to the channels that are default for its severity.">
        {props.channels.length === 0 ? <p class="state">No channels yet (<Link href="/channels">Channels</Link>).</p> : props.channels.map((c) => (
          <Check key={c.id} label={`${c.name} (${TYPE_LABELS[c.type] ?? c.type})`} name={`channel_ids.${c.id}`} checked={v.channel_ids.includes(c.id)}
            onChange={(on) => set("channel_ids")(on ? [...v.channel_ids.filter((x) => x !== c.id), c.id] : v.channel_ids.filter((x) => x !== c.id))} />
        ))}
      </CheckGroup>
      <div class="grid4">
        <Field label="Metric" name="metric_name" value={v.metric_name} onInput={set("metric_name")} error={errors.metric_name}
          hint="optional; from the name when empty" />
        <Field label="Group wait (seconds)" name="group_wait_sec" value={v.group_wait_sec} onInput={set("group_wait_sec")}
          error={errors.group_wait_sec} hint="alerts within this wait go out as one message; empty: the server's default" />
        <Field label="Group interval (seconds)" name="group_interval_sec" value={v.group_interval_sec} onInput={set("group_interval_sec")}
          error={errors.group_interval_sec} hint="later changes of the group, at most this often; empty: the server's default" />
      </div>
    </FormCard>
  );
}

// The report of an import (or of its dry run): the counts, then each rule
// of the file with its line, what is done with it and why.
function ImportReportView({ report, titleId }: { report: ImportReport; titleId: string }) {
  const title = report.written ? `Imported: ${countsText(report)}` : report.dry_run ? `Dry run: ${countsText(report)}` : `Nothing written: ${countsText(report)}`;
  return (
    <section class="import-report" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      {report.rules.length === 0 ? <p class="state">The file has no rules.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th><th scope="col">Name</th><th scope="col" class="num">Line</th><th scope="col">Action</th>
                <th scope="col">Condition</th><th scope="col">Reason and notes</th>
              </tr>
            </thead>
            <tbody>
              {report.rules.map((e, i) => (
                <tr key={`${i}`}>
                  <td class="nowrap">{e.group}</td>
                  <th scope="row">{e.name}</th>
                  <td class="num">{e.line}</td>
                  <td><span class={`pill action-${e.action}`}>{e.action}</span></td>
                  <td>{e.action === "skipped" || e.promql === undefined ? "—" : (
                    <><code class="wrap">{e.promql}</code> <Condition r={e} /></>
                  )}</td>
                  <td class="reasons">
                    {e.reason && <span class={e.action === "failed" ? "reason bad" : "reason"}>{e.reason}</span>}
                    {e.notes.length > 0 && <ul class="notes">{e.notes.map((n) => <li>{n}</li>)}</ul>}
                    {!e.reason && e.notes.length === 0 && <span class="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const IMPORT_PLACEHOLDER = "groups:\n  - name: host\n    rules:\n      - alert: HostHighLoad\n        expr: node_load1 > 4\n        for: 5m";

// Import a Prometheus or vmalert rule file: picked or pasted, checked by a
// dry run first (its report shown), then imported; when some rules cannot
// be, the others alone on request (partial).
function ImportCard(props: { onImported: () => void; onClose: () => void }) {
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [failure, setFailure] = useState<ImportFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);

  const change = (t: string) => {
    setText(t);
    setReport(null);
    setFailure(null);
  };
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > MAX_RULE_FILE_BYTES) {
      change("");
      setFileName(null);
      setFailure({ message: `${file.name} is over 1 MiB: split it into smaller files.`, details: [], report: null });
      return;
    }
    const t = await file.text();
    change(t);
    setFileName(file.name); // after its text: "Read from …" means the contents are there
  };

  const send = async (dryRun: boolean, partial: boolean) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await api<ImportReport>(importPath(dryRun, partial), { method: "POST", text: { body: text, type: "application/yaml" } });
      setReport(r);
      if (r.written) props.onImported();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const f = importFailure(e);
      setFailure(f);
      setReport(f.report);
    } finally {
      setBusy(false);
    }
  };

  const failed = report?.counts.failed ?? 0;
  const checked = report !== null && !report.written;
  return (
    <form class="card form wide import" aria-labelledby="import-title" noValidate
      onSubmit={(e) => { e.preventDefault(); void send(true, false); }}
      onKeyDown={(e) => { if (e.key === "Escape") props.onClose(); }}>
      <h2 id="import-title">Import rule file</h2>
      <p class="hint">
        A Prometheus or vmalert alerting-rule file (<code>groups[].rules[]</code>). It is checked first, writing nothing;
        rules are matched by group and name, so importing a file again changes only what changed.
      </p>
      <div class="field">
        <label for="import-file">Rule file</label>
        <input id="import-file" ref={fileRef} type="file" accept=".yml,.yaml,application/yaml,text/yaml,text/plain"
          aria-describedby="import-file-hint" onChange={(e) => void pick(e.currentTarget as HTMLInputElement)} />
        <p class="hint" id="import-file-hint">{fileName ? `Read from ${fileName}; ` : ""}or paste the YAML below (at most 1 MiB).</p>
      </div>
      <TextArea label="Rule file contents" name="rule_file" value={text} onInput={(t) => { setFileName(null); if (fileRef.current) fileRef.current.value = ""; change(t); }}
        rows={8} placeholder={IMPORT_PLACEHOLDER} />
      {failure && (
        <div class="banner error" role="alert">
          {failure.message}
          {failure.details.length > 0 && <ul class="details">{failure.details.map((d) => <li>{d}</li>)}</ul>}
        </div>
      )}
      <div class="buttons">
        <button type="submit" class={checked ? "" : "primary"} disabled={busy || text.trim() === ""}>Check (dry run)</button>
        {checked && failed === 0 && importable(report) > 0 && (
          <button type="button" class="primary" disabled={busy} onClick={() => void send(false, false)}>Import</button>
        )}
        {checked && failed > 0 && importable(report) > 0 && (
          <button type="button" class="primary" disabled={busy} onClick={() => void send(false, true)}>Import valid rules only</button>
        )}
        <button type="button" onClick={props.onClose}>{report?.written ? "Close" : "Cancel"}</button>
      </div>
      {checked && failed === 0 && importable(report) === 0 && <p class="state" role="status">Nothing to import: every rule of the file is already here, unchanged, or skipped.</p>}
      {busy && <p class="state" role="status">{checked ? "Importing…" : "Checking the file…"}</p>}
      {report && <ImportReportView report={report} titleId="import-report-title" />}
    </form>
  );
}

// The export: fetched with the token, then saved as a file.
async function downloadExport(): Promise<void> {
  const yaml = await apiText(EXPORT_PATH, {}, "application/yaml");
  const url = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = EXPORT_FILE_NAME;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function RulesPage({ me }: { me: Me }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [servers, setServers] = useState<ServerInfo[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
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

  const exportRules = async () => {
    setExporting(true);
    try {
      await downloadExport();
      setError(null);
    } catch (e) {
      if (e instanceof ApiError) setError(`Export failed: ${e.message}`);
      else throw e;
    } finally {
      setExporting(false);
    }
  };

  const actions = (
    <>
      <button type="button" onClick={() => void exportRules()} disabled={exporting}>Export rules</button>
      {canEdit && !editing && !importing && <button type="button" onClick={() => setImporting(true)}>Import rule file</button>}
      {canEdit && !editing && !importing && <button type="button" class="primary" onClick={() => setEditing("new")}>New rule</button>}
    </>
  );
  return (
    <Page title="Rules" actions={actions}>
      {importing && <ImportCard onClose={() => setImporting(false)} onImported={() => setReload((n) => n + 1)} />}
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
                  <th scope="row">{r.name}{r.rule_group && <span class="sub">group {r.rule_group}</span>}{!r.is_active && <span class="sub">inactive</span>}</th>
                  <td>
                    <span class={`pill ${r.state}`}>{r.state}</span>
                    {r.state === "error" && r.last_error && <span class="sub">{r.last_error}</span>}
                  </td>
                  <td>{serverName(r.server_id)}</td>
                  <td><Condition r={r} />{r.for_sec > 0 && <span class="sub">for {r.for_sec} s</span>}</td>
                  <td>{r.severity}</td>
                  <td class="num">{r.last_value === null ? "—" : formatLoad(r.last_value)}</td>
                  <td><Time value={r.last_evaluated_at} now={now} /></td>
                  {canEdit && (
                    <td>
                      <span class="row-actions">
                        <button type="button" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>Edit</button>
                        <ConfirmButton label="Delete" question="Delete now?" name={r.name} onConfirm={() => remove(r)} />
                      </span>
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
