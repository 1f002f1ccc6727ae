// Silences and API tokens: lists with their forms (editors create and
// delete silences; every user manages their own tokens, whose secret is
// shown once, with a copy button).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, hasRole, listAll, type Me } from "../lib/api";
import { ApiError, fieldErrors, FORM } from "../lib/errors";
import type { ServerInfo } from "../lib/fleet";
import type { Rule } from "../lib/rules";
import { Choice, Empty, ErrorNote, Field, Loading, Page, Time, useNow, type Submit } from "./common";

interface Silence {
  id: number;
  server_id: number | null;
  rule_id: number | null;
  starts_at: string;
  ends_at: string;
  comment: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

export function SilencesPage({ me }: { me: Me }) {
  const [items, setItems] = useState<Silence[] | null>(null);
  const [servers, setServers] = useState<ServerInfo[]>([]);
  const [rules, setRules] = useState<Rule[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [reload, setReload] = useState(0);
  const [form, setForm] = useState({ server: "", rule: "", hours: "1", comment: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const now = useNow();
  const canEdit = hasRole(me, "editor");

  useEffect(() => {
    const ctl = new AbortController();
    Promise.all([
      api<Silence[]>("/api/v1/alerts/silences/?limit=1000", { signal: ctl.signal }),
      listAll<ServerInfo>("/api/v1/servers/", ctl.signal),
      listAll<Rule>("/api/v1/alerts/rules/", ctl.signal),
    ])
      .then(([s, sv, r]) => { setItems(s); setServers(sv); setRules(r); setError(null); })
      .catch((e) => e instanceof ApiError && setError(e.message));
    return () => ctl.abort();
  }, [reload]);

  const serverName = (id: number | null) => (id === null ? "Any server" : servers.find((s) => s.id === id)?.name ?? `#${id}`);
  const ruleName = (id: number | null) => (id === null ? "Any rule" : rules.find((r) => r.id === id)?.name ?? `#${id}`);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: Submit) => {
    e.preventDefault();
    setErrors({});
    const start = Date.now();
    try {
      await api("/api/v1/alerts/silences/", {
        method: "POST",
        body: {
          server_id: form.server ? Number(form.server) : null,
          rule_id: form.rule ? Number(form.rule) : null,
          starts_at: iso(start),
          ends_at: iso(start + Number(form.hours) * 3600_000),
          comment: form.comment.trim() || null,
        },
      });
      setAdding(false);
      setForm({ server: "", rule: "", hours: "1", comment: "" });
      setReload((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.status === 422 ? fieldErrors(err.detail, ["server_id", "rule_id", "ends_at", "comment"]) : { [FORM]: err.message });
    }
  };

  const remove = async (s: Silence) => {
    try {
      await api(`/api/v1/alerts/silences/${s.id}`, { method: "DELETE" });
      setReload((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Silences" actions={canEdit && !adding && <button type="button" class="primary" onClick={() => setAdding(true)}>New silence</button>}>
      {adding && (
        <form class="card form" onSubmit={submit} aria-labelledby="silence-title" noValidate onKeyDown={(e) => e.key === "Escape" && setAdding(false)}>
          <h2 id="silence-title">New silence</h2>
          <Choice label="Server" name="server_id" value={form.server} onInput={set("server")} error={errors.server_id}
            options={[{ value: "", label: "Any server" }, ...servers.map((s) => ({ value: String(s.id), label: s.name }))]} />
          <Choice label="Rule" name="rule_id" value={form.rule} onInput={set("rule")} error={errors.rule_id}
            options={[{ value: "", label: "Any rule" }, ...rules.map((r) => ({ value: String(r.id), label: r.name }))]} />
          <Choice label="Duration" name="duration" value={form.hours} onInput={set("hours")} error={errors.ends_at}
            options={[1, 4, 24, 72, 168].map((h) => ({ value: String(h), label: h < 24 ? `${h} h` : `${h / 24} d` }))} />
          <Field label="Comment" name="comment" value={form.comment} onInput={set("comment")} error={errors.comment} />
          {errors[FORM] && <p class="form-error" role="alert">{errors[FORM]}</p>}
          <div class="buttons">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setAdding(false)}>Cancel</button>
          </div>
        </form>
      )}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="silences" />}
      {items && items.length === 0 && <Empty>No silences.</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Server</th><th scope="col">Rule</th><th scope="col">Starts</th><th scope="col">Ends</th>
                <th scope="col">Comment</th>{canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td>{serverName(s.server_id)}</td><td>{ruleName(s.rule_id)}</td>
                  <td><Time value={s.starts_at} now={now} /></td><td><Time value={s.ends_at} now={now} /></td>
                  <td>{s.comment ?? "—"}</td>
                  {canEdit && <td><button type="button" class="danger" onClick={() => remove(s)}>Delete</button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

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

export function TokensPage({ me }: { me: Me }) {
  const [items, setItems] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [reload, setReload] = useState(0);
  const [form, setForm] = useState({ name: "", role: me.role as string, days: "90" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const now = useNow();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const roles = ["viewer", "editor", "admin"].filter((r) => hasRole(me, r as Me["role"]));

  useEffect(() => {
    const ctl = new AbortController();
    api<ApiToken[]>("/api/v1/auth/tokens", { signal: ctl.signal })
      .then((t) => { setItems(t); setError(null); })
      .catch((e) => e instanceof ApiError && setError(e.message));
    return () => ctl.abort();
  }, [reload]);

  const submit = async (e: Submit) => {
    e.preventDefault();
    setErrors({});
    try {
      const body: Record<string, unknown> = { name: form.name.trim(), role: form.role };
      if (form.days) body.expires_at = iso(Date.now() + Number(form.days) * 86400_000);
      const t = await api<ApiToken>("/api/v1/auth/tokens", { method: "POST", body });
      setCreated(t);
      setAdding(false);
      setForm({ name: "", role: me.role, days: "90" });
      setReload((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.status === 422 ? fieldErrors(err.detail, ["name", "role", "expires_at"]) : { [FORM]: err.message });
    }
  };

  const revoke = async (t: ApiToken) => {
    try {
      await api(`/api/v1/auth/tokens/${t.id}`, { method: "DELETE" });
      setReload((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Tokens" actions={!adding && <button type="button" class="primary" onClick={() => { setAdding(true); setCreated(null); }}>New token</button>}>
      {created && <NewSecret token={created} />}
      {adding && (
        <form class="card form" onSubmit={submit} aria-labelledby="token-title" noValidate onKeyDown={(e) => e.key === "Escape" && setAdding(false)}>
          <h2 id="token-title">New API token</h2>
          <Field label="Name" name="name" value={form.name} onInput={set("name")} error={errors.name} hint="what it is for, e.g. CI deploy script" />
          <Choice label="Role" name="role" value={form.role} onInput={set("role")} error={errors.role}
            options={roles.map((r) => ({ value: r, label: r }))} />
          <Choice label="Expires" name="expires" value={form.days} onInput={set("days")} error={errors.expires_at}
            options={[{ value: "30", label: "in 30 days" }, { value: "90", label: "in 90 days" }, { value: "365", label: "in a year" }, { value: "", label: "never" }]} />
          {errors[FORM] && <p class="form-error" role="alert">{errors[FORM]}</p>}
          <div class="buttons">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setAdding(false)}>Cancel</button>
          </div>
        </form>
      )}
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
                  <td><Time value={t.last_used_at} now={now} /></td>
                  <td><button type="button" class="danger" onClick={() => revoke(t)}>Revoke</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

interface User {
  id: number;
  email: string;
  role: string;
  is_active: boolean;
  created_at: string;
}

// Users (admins only): the list, a new user, (de)activation and role.
export function UsersPage({ me }: { me: Me }) {
  const [items, setItems] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [reload, setReload] = useState(0);
  const [form, setForm] = useState({ email: "", password: "", role: "viewer" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const now = useNow();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    const ctl = new AbortController();
    listAll<User>("/api/v1/users/", ctl.signal)
      .then((u) => { setItems(u); setError(null); })
      .catch((e) => e instanceof ApiError && setError(e.message));
    return () => ctl.abort();
  }, [reload]);

  const submit = async (e: Submit) => {
    e.preventDefault();
    setErrors({});
    try {
      await api("/api/v1/users/", { method: "POST", body: { email: form.email.trim(), password: form.password, role: form.role } });
      setAdding(false);
      setForm({ email: "", password: "", role: "viewer" });
      setReload((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.status === 422 ? fieldErrors(err.detail, ["email", "password", "role"]) : { [FORM]: err.message });
    }
  };

  const patch = async (u: User, body: Record<string, unknown>) => {
    try {
      await api(`/api/v1/users/${u.id}`, { method: "PATCH", body });
      setReload((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Users" actions={!adding && <button type="button" class="primary" onClick={() => setAdding(true)}>New user</button>}>
      {adding && (
        <form class="card form" onSubmit={submit} aria-labelledby="user-title" noValidate onKeyDown={(e) => e.key === "Escape" && setAdding(false)}>
          <h2 id="user-title">New user</h2>
          <Field label="Email" name="email" type="email" value={form.email} onInput={set("email")} error={errors.email} autoComplete="off" />
          <Field label="Password" name="password" type="password" value={form.password} onInput={set("password")} error={errors.password}
            autoComplete="new-password" hint="at least 8 characters" />
          <Choice label="Role" name="role" value={form.role} onInput={set("role")} error={errors.role}
            options={["viewer", "editor", "admin"].map((r) => ({ value: r, label: r }))} />
          {errors[FORM] && <p class="form-error" role="alert">{errors[FORM]}</p>}
          <div class="buttons">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setAdding(false)}>Cancel</button>
          </div>
        </form>
      )}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="users" />}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Active</th><th scope="col">Created</th>
              <th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>
                    {u.id === me.id ? u.role : (
                      <>
                        <label class="sr-only" for={`role-${u.id}`}>Role of {u.email}</label>
                        <select id={`role-${u.id}`} class="compact" value={u.role}
                          onChange={(e) => patch(u, { role: (e.currentTarget as HTMLSelectElement).value })}>
                          {["viewer", "editor", "admin"].map((r) => <option value={r}>{r}</option>)}
                        </select>
                      </>
                    )}
                  </td>
                  <td>{u.is_active ? "yes" : "no"}</td>
                  <td><Time value={u.created_at} now={now} /></td>
                  <td>
                    {u.id !== me.id && (
                      <button type="button" class={u.is_active ? "danger" : ""} onClick={() => patch(u, { is_active: !u.is_active })}>
                        {u.is_active ? "Deactivate" : "Activate"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
