// Silences: every silence with its state (active, upcoming, expired);
// editors create one (a server and/or a rule, 1 h … 7 d or a custom length)
// and delete one.
import { useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { choiceMs, formatDuration, type LengthChoice } from "../lib/duration";
import { ApiError } from "../lib/errors";
import type { ServerInfo } from "../lib/fleet";
import type { Rule } from "../lib/rules";
import { Choice, Empty, ErrorNote, Field, Loading, Page, Time, useNow } from "./common";
import { FormCard, useForm } from "./forms";
import { SilenceLength } from "./SilenceLength";
import { useLoad } from "./useLoad";

interface Silence {
  id: number;
  server_id: number | null;
  rule_id: number | null;
  starts_at: string;
  ends_at: string;
  comment: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function silenceState(s: Silence, now: number): "active" | "upcoming" | "expired" {
  if (Date.parse(s.ends_at) <= now) return "expired";
  return Date.parse(s.starts_at) > now ? "upcoming" : "active";
}

function SilenceForm(props: { servers: ServerInfo[]; rules: Rule[]; onSaved: () => void; onCancel: () => void }) {
  const form = useForm({ server: "", rule: "", comment: "" }, ["server_id", "rule_id", "ends_at", "comment"]);
  const [length, setLength] = useState<LengthChoice>({ preset: "1", custom: "" });
  const [tried, setTried] = useState(false);
  const { values: v, set, errors } = form;

  const submit = async () => {
    setTried(true);
    const ms = choiceMs(length);
    if (ms === null) return; // the length field says why
    const start = Date.now();
    const saved = await form.run(() => api("/api/v1/alerts/silences/", {
      method: "POST",
      body: {
        server_id: v.server ? Number(v.server) : null,
        rule_id: v.rule ? Number(v.rule) : null,
        starts_at: iso(start),
        ends_at: iso(start + ms),
        comment: v.comment.trim() || null,
      },
    }).then(() => true));
    if (saved) props.onSaved();
  };

  return (
    <FormCard title="New silence" onSubmit={submit} onCancel={props.onCancel} errors={errors} busy={form.busy}>
      <Choice label="Server" name="server_id" value={v.server} onInput={set("server")} error={errors.server_id}
        options={[{ value: "", label: "Any server" }, ...props.servers.map((s) => ({ value: String(s.id), label: s.name }))]} />
      <Choice label="Rule" name="rule_id" value={v.rule} onInput={set("rule")} error={errors.rule_id}
        options={[{ value: "", label: "Any rule" }, ...props.rules.map((r) => ({ value: String(r.id), label: r.name }))]} />
      <SilenceLength label="Duration" value={length} onChange={setLength} error={errors.ends_at} showErrors={tried} />
      <Field label="Comment" name="comment" value={v.comment} onInput={set("comment")} error={errors.comment}
        hint="why, for the next person on call" />
    </FormCard>
  );
}

export function SilencesPage({ me }: { me: Me }) {
  const { data, error, setError, reload } = useLoad((signal) => Promise.all([
    api<Silence[]>("/api/v1/alerts/silences/?limit=1000", { signal }),
    listAll<ServerInfo>("/api/v1/servers/", signal),
    listAll<Rule>("/api/v1/alerts/rules/", signal),
  ]));
  const [adding, setAdding] = useState(false);
  const now = useNow();
  const canEdit = hasRole(me, "editor");
  const [items, servers, rules] = data ?? [null, [], []];

  const serverName = (id: number | null) => (id === null ? "Any server" : servers.find((s) => s.id === id)?.name ?? `#${id}`);
  const ruleName = (id: number | null) => (id === null ? "Any rule" : rules.find((r) => r.id === id)?.name ?? `#${id}`);

  const remove = async (s: Silence) => {
    try {
      await api(`/api/v1/alerts/silences/${s.id}`, { method: "DELETE" });
      reload();
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Silences" actions={canEdit && !adding && <button type="button" class="primary" onClick={() => setAdding(true)}>New silence</button>}>
      {adding && <SilenceForm servers={servers} rules={rules} onCancel={() => setAdding(false)} onSaved={() => { setAdding(false); reload(); }} />}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="silences" />}
      {items && items.length === 0 && <Empty>No silences. A silence stops notifications; events are still recorded.</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Server</th><th scope="col">Rule</th><th scope="col">State</th><th scope="col">Starts</th>
                <th scope="col">Ends</th><th scope="col">Comment</th>{canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {items.map((s) => {
                const state = silenceState(s, now);
                return (
                  <tr key={s.id} class={state === "expired" ? "muted" : undefined}>
                    <td>{serverName(s.server_id)}</td><td>{ruleName(s.rule_id)}</td>
                    <td>
                      <span class={`pill ${state === "active" ? "firing" : "inactive"}`}>{state}</span>
                      {state === "active" && <span class="sub">{formatDuration(Date.parse(s.ends_at) - now)} left</span>}
                    </td>
                    <td><Time value={s.starts_at} now={now} /></td><td><Time value={s.ends_at} now={now} /></td>
                    <td>{s.comment ?? "—"}</td>
                    {canEdit && (
                      <td><button type="button" class="danger" aria-label={`Delete silence of ${serverName(s.server_id)}, ${ruleName(s.rule_id)}`} onClick={() => remove(s)}>Delete</button></td>
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
