// Users (admins only): the list, a new user, role, (de)activation and
// deletion. An admin cannot change or delete their own account here, so
// the last admin cannot lock everyone out by a click.
import { useState } from "preact/hooks";
import { api, listAll, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import { Choice, ConfirmButton, Empty, ErrorNote, Field, Loading, Page, Time, useNow } from "./common";
import { FormCard, useForm } from "./forms";
import { useLoad } from "./useLoad";

interface User {
  id: number;
  email: string;
  role: string;
  is_active: boolean;
  created_at: string;
}

const ROLES = ["viewer", "editor", "admin"];

function UserForm(props: { onSaved: () => void; onCancel: () => void }) {
  const form = useForm({ email: "", password: "", role: "viewer" }, ["email", "password", "role"]);
  const { values: v, set, errors } = form;
  const submit = async () => {
    const ok = await form.run(() => api("/api/v1/users/", { method: "POST", body: { email: v.email.trim(), password: v.password, role: v.role } })
      .then(() => true));
    if (ok) props.onSaved();
  };
  return (
    <FormCard title="New user" onSubmit={submit} onCancel={props.onCancel} errors={errors} busy={form.busy}>
      <Field label="Email" name="email" type="email" value={v.email} onInput={set("email")} error={errors.email} autoComplete="off" />
      <Field label="Password" name="password" type="password" value={v.password} onInput={set("password")} error={errors.password}
        autoComplete="new-password" hint="at least 8 characters" />
      <Choice label="Role" name="role" value={v.role} onInput={set("role")} error={errors.role}
        options={ROLES.map((r) => ({ value: r, label: r }))} />
    </FormCard>
  );
}

export function UsersPage({ me }: { me: Me }) {
  const { data: items, error, setError, reload } = useLoad((signal) => listAll<User>("/api/v1/users/", signal));
  const [adding, setAdding] = useState(false);
  const now = useNow();

  const call = async (path: string, method: string, body?: Record<string, unknown>) => {
    try {
      await api(path, { method, body });
      reload();
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Users" actions={!adding && <button type="button" class="primary" onClick={() => setAdding(true)}>New user</button>}>
      {adding && <UserForm onCancel={() => setAdding(false)} onSaved={() => { setAdding(false); reload(); }} />}
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="users" />}
      {items && items.length === 0 && <Empty>No users.</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Active</th><th scope="col">Created</th>
              <th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id} class={u.is_active ? undefined : "muted"}>
                  <th scope="row">{u.email}{u.id === me.id && <span class="sub">you</span>}</th>
                  <td>
                    {u.id === me.id ? u.role : (
                      <>
                        <label class="sr-only" for={`role-${u.id}`}>Role of {u.email}</label>
                        <select id={`role-${u.id}`} class="compact" value={u.role}
                          onChange={(e) => call(`/api/v1/users/${u.id}`, "PATCH", { role: (e.currentTarget as HTMLSelectElement).value })}>
                          {ROLES.map((r) => <option value={r}>{r}</option>)}
                        </select>
                      </>
                    )}
                  </td>
                  <td>{u.is_active ? "yes" : "no"}</td>
                  <td><Time value={u.created_at} now={now} /></td>
                  <td class="row-actions">
                    {u.id !== me.id && (
                      <>
                        <button type="button" aria-label={`${u.is_active ? "Deactivate" : "Activate"} ${u.email}`}
                          onClick={() => call(`/api/v1/users/${u.id}`, "PATCH", { is_active: !u.is_active })}>
                          {u.is_active ? "Deactivate" : "Activate"}
                        </button>
                        <ConfirmButton label="Delete" question="Delete now?" name={u.email}
                          onConfirm={() => call(`/api/v1/users/${u.id}`, "DELETE")} />
                      </>
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
