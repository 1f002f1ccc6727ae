// Numbers and times as people read them: "3 min ago" with the exact UTC time
// for a title attribute, values with their units, "—" for a missing value.

export const MISSING = "—";

type TimeInput = string | number | Date | null | undefined;

// Milliseconds since the epoch; NaN for anything that is not a time.
// A number is Unix seconds, as the API's range points are.
export function toMillis(t: TimeInput): number {
  if (t === null || t === undefined) return NaN;
  if (t instanceof Date) return t.getTime();
  if (typeof t === "number") return t * 1000;
  return Date.parse(t);
}

// "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; "in 3 min" for
// a time ahead of `now` (a silence's end).
export function relativeTime(t: TimeInput, now: number = Date.now()): string {
  const ms = toMillis(t);
  if (!Number.isFinite(ms)) return MISSING;
  const diff = Math.round((now - ms) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  if (s < 5) return "just now";
  // Past times round down (never more time than has passed); times ahead
  // round to the nearest unit, so a 4 h silence made just now ends "in 4 h".
  const unit = future ? Math.round : Math.floor;
  let text: string;
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${unit(s / 60)} min`;
  else if (s < 86400) text = `${unit(s / 3600)} h`;
  else text = `${unit(s / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

// "2026-12-07 07:39:13 UTC": the exact time, for a title or a table cell.
export function exactUtc(t: TimeInput): string {
  const ms = toMillis(t);
  if (!Number.isFinite(ms)) return MISSING;
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function isNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

// Three significant digits, trailing zeros dropped: 1.21, 1.5, 2, 12.5, 250.
function compact(v: number): string {
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

export function formatPercent(v: number | null | undefined): string {
  return isNumber(v) ? `${v.toFixed(1)} %` : MISSING;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatBytes(v: number | null | undefined): string {
  if (!isNumber(v)) return MISSING;
  let value = v;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : compact(value)} ${BYTE_UNITS[unit]}`;
}

export function formatBytesPerSecond(v: number | null | undefined): string {
  return isNumber(v) ? `${formatBytes(v)}/s` : MISSING;
}

// Load averages: two decimals, as `uptime` prints them.
export function formatLoad(v: number | null | undefined): string {
  return isNumber(v) ? v.toFixed(2) : MISSING;
}

// "3 d 4 h", "5 h 12 min", "42 min", "30 s": the two largest units.
export function formatUptime(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds < 0) return MISSING;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

// A metric of the summary by its key, with the unit that key implies.
export function formatMetric(key: string, v: number | null | undefined): string {
  if (key.endsWith("_percent")) return formatPercent(v);
  if (key.endsWith("_bytes_per_second")) return formatBytesPerSecond(v);
  if (key.endsWith("_bytes")) return formatBytes(v);
  if (key === "uptime_seconds") return formatUptime(v);
  if (key.startsWith("load")) return formatLoad(v);
  return isNumber(v) ? compact(v) : MISSING;
}
