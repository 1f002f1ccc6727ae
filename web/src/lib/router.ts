// History-API routing: the path names the page, so a reload or a shared
// link opens the same page (the server answers the console for any path).

export type Route =
  | { page: "servers" }
  | { page: "server"; id: number }
  | { page: "event"; id: number }
  | { page: "rules" | "events" | "silences" | "channels" | "users" | "tokens" | "audit" }
  | { page: "not_found" };

// The page a path names; its query (filters) is the page's own business.
export function parseRoute(path: string): Route {
  const p = path.split(/[?#]/)[0].replace(/\/+$/, "") || "/";
  if (p === "/" || p === "/servers") return { page: "servers" };
  const server = /^\/servers\/(\d+)$/.exec(p);
  if (server) return { page: "server", id: Number(server[1]) };
  const event = /^\/events\/(\d+)$/.exec(p);
  if (event) return { page: "event", id: Number(event[1]) };
  const simple = /^\/(rules|events|silences|channels|users|tokens|audit)$/.exec(p);
  if (simple) return { page: simple[1] as "rules" };
  return { page: "not_found" };
}

type Listener = (path: string) => void;
const listeners = new Set<Listener>();

export function onNavigate(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function currentPath(): string {
  return location.pathname + location.search;
}

export function navigate(path: string, replace = false): void {
  if (path === currentPath()) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const l of listeners) l(path);
}

if (typeof window !== "undefined")
  window.addEventListener("popstate", () => {
    for (const l of listeners) l(currentPath());
  });

// A plain left click on an in-app link navigates without reloading.
export function linkClick(e: MouseEvent, path: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(path);
}
