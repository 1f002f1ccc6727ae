// The audit log (admins): newest first, filtered by who, action, target
// and time, 100 at a time; each entry's changes as old → new.
import { useState } from "preact/hooks";
import { api, listAll, type Me } from "../lib/api";
import { ACTIONS, ANY_AUDIT, auditQuery, changeLines, TARGET_TYPES, type AuditEntry, type AuditFilter } from "../lib/audit";
import { ApiError } from "../lib/errors";
import { Empty, ErrorNote, FilterSelect, Loading, Page, Time, useNow } from "./common";
import { useLoad } from "./useLoad";

const PAGE = 100;
const SINCE = [{ value: "", label: "any time" }, { value: "1", label: "last hour" }, { value: "24", label: "last 24 h" },
  { value: "168", label: "last 7 days" }, { value: "720", label: "last 30 days" }];

export function AuditPage(_: { me: Me }) {
  const [filter, setFilter] = useState<AuditFilter>(ANY_AUDIT);
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const users = useLoad((signal) => listAll<{ id: number; email: string }>("/api/v1/users/", signal));
  const { data: first, error, setError } = useLoad(async (signal) => {
    const page = await api<AuditEntry[]>(auditQuery(filter, Date.now(), 0, PAGE), { signal });
    setMore([]);
    setExhausted(page.length < PAGE);
    return page;
  }, [filter]);
  const now = useNow();
  const items = first ? [...first, ...more] : null;
  const set = (k: keyof AuditFilter) => (v: string) => setFilter((f) => ({ ...f, [k]: v }));

  const loadMore = async () => {
    if (!items) return;
    try {
      const page = await api<AuditEntry[]>(auditQuery(filter, Date.now(), items.length, PAGE));
      setMore((m) => [...m, ...page]);
      setExhausted(page.length < PAGE);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
  };

  return (
    <Page title="Audit">
      <div class="toolbar">
        <FilterSelect id="audit-actor" label="Who" value={filter.actor} onChange={set("actor")}
          options={[{ value: "", label: "anyone" }, ...(users.data ?? []).map((u) => ({ value: String(u.id), label: u.email }))]} />
        <FilterSelect id="audit-action" label="Action" value={filter.action} onChange={set("action")}
          options={[{ value: "", label: "any" }, ...ACTIONS.map((a) => ({ value: a, label: a }))]} />
        <FilterSelect id="audit-target" label="Target" value={filter.target_type} onChange={set("target_type")}
          options={[{ value: "", label: "any" }, ...TARGET_TYPES.map((t) => ({ value: t, label: t }))]} />
        <FilterSelect id="audit-since" label="When" value={filter.since} onChange={set("since")} options={SINCE} />
      </div>
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what="the audit log" />}
      {items && items.length === 0 && <Empty>{filter === ANY_AUDIT ? "Nothing recorded yet." : "No entry matches these filters."}</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th>
                <th scope="col">Changes</th><th scope="col">From</th></tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <td><Time value={i.at} now={now} /></td>
                  <td>{i.actor_email || "—"}<span class="sub">{i.via === "token" ? `token #${i.token_id}` : i.via}</span></td>
                  <td><code>{i.action}</code></td>
                  <td>{i.target_type ? `${i.target_type} ${i.target_id ?? ""}` : "—"}</td>
                  <td>{changeLines(i.changes, i.action).map((line) => <span class="change">{line}</span>)}</td>
                  <td>{i.client_address ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items && items.length > 0 && !exhausted && (
        <p><button type="button" onClick={loadMore}>Load older entries</button></p>
      )}
    </Page>
  );
}
