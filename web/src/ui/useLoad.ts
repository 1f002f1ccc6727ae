// Loads what a page shows (one or more API calls), again on reload(), and
// cancels a load the page no longer needs. `error` is in words.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../lib/errors";

export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal)
      .then((d) => { setData(d); setError(null); })
      .catch((e) => { if (e instanceof ApiError) setError(e.message); });
    return () => ctl.abort();
  }, [generation, ...deps]);
  return { data, setData, error, setError, reload: () => setGeneration((n) => n + 1) };
}
