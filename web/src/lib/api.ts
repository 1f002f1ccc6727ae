// The REST API: JSON in and out, the bearer token from the session, and one
// place where a 401 ends the session (the app then asks to sign in again).
import { ApiError } from "./errors";
import { clearToken, getToken } from "./session";

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function sessionEnded(): void {
  clearToken();
  for (const l of unauthorizedListeners) l();
}

export interface RequestOptions {
  method?: string;
  body?: unknown; // sent as JSON
  // Sent as is, with its Content-Type (a rule file: application/yaml).
  text?: { body: string; type: string };
  signal?: AbortSignal;
}

// The request with the token; an error status (its JSON `detail`) thrown as
// an ApiError, a 401 ending the session.
async function request(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.text !== undefined) {
    headers["Content-Type"] = options.text.type;
    body = options.text.body;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? "GET", headers, body, signal: options.signal });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, null);
  }
  if (!res.ok) {
    const payload = await res.json().catch(() => null);
    if (res.status === 401 && token) sessionEnded();
    throw new ApiError(res.status, payload?.detail ?? null, payload);
  }
  return res;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(path, options, "application/json");
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => null)) as T;
}

// An endpoint that answers text (the rules' export: YAML).
export async function apiText(path: string, options: RequestOptions = {}, accept = "*/*"): Promise<string> {
  const res = await request(path, options, accept);
  return res.text();
}

export interface LoginAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export async function login(email: string, password: string): Promise<LoginAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ username: email, password }).toString(),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const payload = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, payload?.detail ?? null);
  return payload as LoginAnswer;
}

export type Role = "viewer" | "editor" | "admin";

export interface Me {
  id: number;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  role: Role;
  created_at: string;
}

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

export function hasRole(me: Pick<Me, "role"> | null | undefined, wanted: Role): boolean {
  return !!me && (RANK[me.role] ?? 0) >= RANK[wanted];
}

// Every item of a list endpoint, 1000 at a time (the API's maximum).
export async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes("?") ? "&" : "?";
  for (let skip = 0; ; skip += 1000) {
    const page = await api<T[]>(`${path}${sep}skip=${skip}&limit=1000`, { signal });
    out.push(...page);
    if (page.length < 1000) return out;
  }
}
