// The access token lives in sessionStorage (per tab, gone when the tab
// closes), never in localStorage. The page to return to after signing in
// again is kept there too.

const TOKEN = "sentinel.token";
const RETURN_TO = "sentinel.return_to";

function store(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return store()?.getItem(TOKEN) ?? null;
}

export function setToken(token: string): void {
  store()?.setItem(TOKEN, token);
}

export function clearToken(): void {
  store()?.removeItem(TOKEN);
}

export function rememberReturnTo(path: string): void {
  store()?.setItem(RETURN_TO, path);
}

// The remembered page (once), or `fallback` (the page the sign-in form was
// shown on). Only a same-origin path is accepted.
export function takeReturnTo(fallback = "/"): string {
  const s = store();
  const path = s?.getItem(RETURN_TO) ?? fallback;
  s?.removeItem(RETURN_TO);
  return safePath(path);
}

export function safePath(path: string): string {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}
