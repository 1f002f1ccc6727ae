// A WebSocket that stays open: the token goes in the `bearer, <JWT>`
// subprotocol (never in the URL, so it is not logged), and a dropped
// connection is opened again with a growing delay. Close code 4401 ends the
// session; 4404 (the server is gone) stops trying.
import { sessionEnded } from "./api";
import { getToken } from "./session";

export type LiveState = "connecting" | "open" | "closed";

export interface LiveOptions<T> {
  onMessage: (msg: T) => void;
  onState?: (state: LiveState, code?: number) => void;
}

export function wsUrl(path: string, loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

// Delay before the n-th reconnection attempt: 1 s, 2 s, 4 s … at most 15 s.
export function backoff(attempt: number): number {
  return Math.min(15000, 1000 * 2 ** Math.max(0, attempt));
}

export function openLive<T>(path: string, options: LiveOptions<T>): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const token = getToken();
    if (!token || stopped) return;
    options.onState?.("connecting");
    ws = new WebSocket(wsUrl(path), ["bearer", token]);
    ws.onopen = () => {
      attempt = 0;
      options.onState?.("open");
    };
    ws.onmessage = (e) => {
      try {
        options.onMessage(JSON.parse(String(e.data)) as T);
      } catch {
        /* a frame that is not JSON is ignored */
      }
    };
    ws.onclose = (e) => {
      ws = null;
      if (stopped) return;
      options.onState?.("closed", e.code);
      if (e.code === 4401) return sessionEnded();
      if (e.code === 4404) return;
      timer = setTimeout(connect, backoff(attempt++));
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    ws?.close(1000);
  };
}
