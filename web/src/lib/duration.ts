// Durations as people type them in Alertmanager and Grafana: "90m", "2h30m",
// "1d12h", "1w". Used for custom silence lengths. Pure functions.

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

// The longest silence the console offers: a year. Longer is almost always a
// typo, and a rule that should never notify is better deactivated.
export const MAX_SILENCE_MS = 365 * UNITS.d;

// "2h30m" → 9 000 000 ms; null for anything that is not a sequence of
// <integer><unit> with units s, m, h, d, w (spaces allowed between parts),
// or whose total is zero.
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!s || !/^(\d+[smhdw])+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([smhdw])/g)) {
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) return null;
    total += n * UNITS[m[2]];
  }
  return total > 0 && Number.isFinite(total) ? total : null;
}

// 9 000 000 → "2 h 30 min"; the two largest units, for confirmations.
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) parts.push(`${n} ${unit}`);
    rest -= n * seconds;
  }
  return parts.slice(0, 2).join(" ") || "0 s";
}

// Why a typed silence length is refused, in words; null when it is fine.
export function silenceLengthError(text: string): string | null {
  const ms = parseDuration(text);
  if (ms === null) return "Write a length such as 90m, 2h30m, 3d or 1w.";
  if (ms < UNITS.m) return "A silence lasts at least one minute.";
  if (ms > MAX_SILENCE_MS) return "A silence lasts at most a year.";
  return null;
}

// A silence length as chosen in the console: one of PRESET_HOURS, or
// "custom" with a typed duration.
export interface LengthChoice {
  preset: string; // "1", "4", "24", … (hours) or "custom"
  custom: string; // "2h30m" when preset is "custom"
}

export const PRESET_HOURS = [1, 4, 24, 72, 168];

export function presetLabel(hours: number): string {
  return hours < 24 ? `${hours} h` : `${hours / 24} d`;
}

// The length in ms, or null when a custom length is not valid.
export function choiceMs(c: LengthChoice): number | null {
  if (c.preset !== "custom") return Number(c.preset) * 3_600_000;
  return silenceLengthError(c.custom) === null ? parseDuration(c.custom) : null;
}
