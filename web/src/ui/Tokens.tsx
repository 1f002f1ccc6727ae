// API tokens: every user manages their own (the secret is shown once, with
// a Copy button); an admin may also list and revoke another user's.
import { useRef, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import { Choice, ConfirmButton, Empty, ErrorNote, Field, Loading, Page, Time, useNow } from "./common";
import { FormCard, useForm } from "./forms";
import { useLoad } from "./useLoad";

interface ApiToken {
  id: number;
  name: string;
  role: string;
  user_id: number;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  token?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function NewSecret({ token }: { token: ApiToken }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(token.token ?? "");
      setCopied(true);
    } catch {
      // No clipboard (not a secure context): the text stays selected to copy by hand.
    }
  };
  return (
    <div class="card secret" role="status">
      <p><strong>Token “{token.name}” created.</strong> Copy it now: it is shown only once.</p>
      <div class="copy-row">
        <label class="sr-only" for="new-token">New token</label>
        <input id="new-token" ref={input} readOnly value={token.token} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button type="button" onClick={copy}>{copied ? "Copied" : "Copy"}</button>
      </div>
    </div>
  );
}

function TokenForm(props: { me: Me; onSaved: (t: ApiToken) => void; onCancel: () => void }) {
  const form = useForm({ name: "", role: props.me.role as string, days: "90" }, ["name", "role", "expires_at"]);
  const { values: v, set, errors } = form;
  const roles = (["viewer", "editor", "admin"] as const).filter((r) => hasRole(props.me, r));
  const submit = async () => {
    const body: Record<string, unknown> = { name: v.name.trim(), role: v.role };
    if (v.days) body.expires_at = iso(Date.now() + Number(v.days) * 86400_000);
    const t = await form.run(() => api<ApiToken>("/api/v1/auth/tokens", { method: "POST", body }));
    if (t) props.onSaved(t);
  };
  return (
    <FormCard title="New API token" onSubmit={submit} onCancel={props.onCancel} errors={errors} busy={form.busy}>
      <Field label="Name" name="name" value={v.name} onInput={set("name")} error={errors.name} hint="what it is for, e.g. CI deploy script" />
      <Choice label="Role" name="role" value={v.role} onInput={set("role")} error={errors.role}
        options={roles.map((r) => ({ value: r, label: r }))} />
      <Choice label="Expires" name="expires" value={v.days} onInput={set("days")} error={errors.expires_at}
        options={[{ value: "30", label: "in 30 days" }, { value: "90", label: "in 90 days" }, { value: "365", label: "in a year" }, { value: "", label: "never" }]} />
    </FormCard>
  );
}

export function TokensPage({ me }: { me: Me }) {
  const isAdmin = hasRole(me, "admin");
  const [owner, setOwner] = useState(String(me.id));
  const { data: items, error, setError, reload } = useLoad(
    (signal) => api<ApiToken[]>(`/api/v1/auth/tokens${owner === String(me.id) ? "" : `?user_id=${owner}`}`, { signal }), [owner]);
  const users = useLoad((signal) => (isAdmin ? listAll<{ id: number; email: string }>("/api/v1/users/", signal) : Promise.resolve([])));
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const now = useNow();
  const mine = owner === String(me.id);

  const revoke = async (t: ApiToken) => {
    try {
      await api(`/api/v1/auth/tokens/${t.id}`, { method: "DELETE" });
      reload();
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Tokens" actions={mine && !adding && (
      <button type="button" class="primary" onClick={() => { setAdding(true); setCreated(null); }}>New token</button>)}>
      <p class="lede">API tokens let scripts call Sentinel as <code>Authorization: Bearer snt_…</code>, with at most your role.</p>
      {isAdmin && users.data && users.data.length > 1 && (
        <div class="toolbar">
          <div class="field inline">
            <label for="token-owner">Tokens of</label>
            <select id="token-owner" value={owner} onChange={(e) => { setOwner((e.currentTarget as HTMLSelectElement).value); setAdding(false); setCreated(null); }}>
              {users.data.map((u) => <option value={String(u.id)}>{u.id === me.id ? `${u.email} (you)` : u.email}</option>)}
            </select>
          </div>
        </div>
      )}
      {created && <NewSecret token={created} />}
      {adding && <TokenForm me={me} onCancel={() => setAdding(false)} onSaved={(t) => { setCreated(t); setAdding(false); reload(); }} />}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="tokens" />}
      {items && items.length === 0 && <Empty>No API tokens.</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Expires</th>
              <th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th><td>{t.role}</td><td><Time value={t.created_at} now={now} /></td>
                  <td>{t.expires_at ? <Time value={t.expires_at} now={now} /> : "never"}</td>
                  <td>{t.last_used_at ? <Time value={t.last_used_at} now={now} /> : "never"}</td>
                  <td><ConfirmButton label="Revoke" question="Revoke now?" name={t.name} onConfirm={() => revoke(t)} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
