// The audit log (admins): newest first, as the API lists it.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, type Me } from "../lib/api";
import { ApiError } from "../lib/errors";
import { Empty, ErrorNote, Loading, Page, Time, useNow } from "./common";

type Item = Record<string, unknown> & { id: number };
type PageKey = "audit";

interface Column {
  label: string;
  cell: (item: Item, now: number) => ComponentChildren;
}

const text = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));
const time = (k: string) => (i: Item, now: number) => <Time value={i[k] as string | null} now={now} />;

const PAGES: Record<PageKey, { title: string; path: string; empty: string; columns: Column[] }> = {
  audit: {
    title: "Audit", path: "/api/v1/audit/", empty: "Nothing recorded yet.",
    columns: [
      { label: "When", cell: time("at") },
      { label: "Who", cell: (i) => text(i.actor_email) },
      { label: "Action", cell: (i) => <code>{text(i.action)}</code> },
      { label: "Target", cell: (i) => `${text(i.target_type)} ${text(i.target_id)}` },
      { label: "Via", cell: (i) => text(i.via) },
    ],
  },
};

export function ListPage({ page }: { page: PageKey; me: Me }) {
  const def = PAGES[page];
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    const ctl = new AbortController();
    api<Item[]>(`${def.path}?limit=200`, { signal: ctl.signal })
      .then((list) => { setItems(list); setError(null); })
      .catch((e) => e instanceof ApiError && setError(e.message));
    return () => ctl.abort();
  }, [page]);

  return (
    <Page title={def.title}>
      {error && <ErrorNote message={error} />}
      {!items && !error && <Loading what={def.title.toLowerCase()} />}
      {items && items.length === 0 && <Empty>{def.empty}</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {def.columns.map((c) => <th scope="col">{c.label}</th>)}
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  {def.columns.map((c) => <td>{c.cell(i, now)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
