// History ranges of the server page and the range endpoint's parameters.

export const RANGES = [
  { key: "1h", label: "1 h", seconds: 3600 },
  { key: "6h", label: "6 h", seconds: 6 * 3600 },
  { key: "24h", label: "24 h", seconds: 24 * 3600 },
  { key: "7d", label: "7 d", seconds: 7 * 86400 },
] as const;

export type RangeKey = (typeof RANGES)[number]["key"];

// start/end in Unix seconds and a step giving about 300 points (at least 15 s).
export function rangeQuery(seconds: number, nowMs: number): { start: number; end: number; step: number } {
  const end = Math.floor(nowMs / 1000);
  return { start: end - seconds, end, step: Math.max(15, Math.round(seconds / 300)) };
}

// Several metrics' points ([[t, v], …] each) aligned on one time axis, as
// uPlot wants them: [times, values of 1, values of 2, …], null where a
// metric has no point at that time.
export function alignSeries(series: readonly (readonly [number, number][])[]): [number[], ...(number | null)[][]] {
  const times = [...new Set(series.flatMap((s) => s.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const out: [number[], ...(number | null)[][]] = [times];
  for (const s of series) {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s) col[index.get(t)!] = v;
    out.push(col);
  }
  return out;
}

// A live value appended to a chart's data, keeping only points within
// `windowSeconds` of the newest.
export function appendPoint(
  data: [number[], ...(number | null)[][]],
  t: number,
  values: (number | null)[],
  windowSeconds: number,
): [number[], ...(number | null)[][]] {
  const [times, ...cols] = data;
  if (times.length && t <= times[times.length - 1]) return data;
  const cut = t - windowSeconds;
  let from = 0;
  while (from < times.length && times[from] < cut) from++;
  return [
    [...times.slice(from), t],
    ...cols.map((c, i) => [...c.slice(from), values[i] ?? null]),
  ] as [number[], ...(number | null)[][]];
}
