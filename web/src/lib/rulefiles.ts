// Prometheus rule files in and out (POST /api/v1/alerts/rules/import, GET
// /api/v1/alerts/rules/export): the import report's shape, the import's
// address, and its failures in words. Pure functions.
import { ApiError, type ValidationItem } from "./errors";

export type ImportAction = "created" | "updated" | "unchanged" | "skipped" | "failed";

export interface ImportEntry {
  group: string;
  name: string;
  line: number;
  action: ImportAction;
  rule_id: number | null;
  reason: string | null;
  notes: string[];
  promql?: string;
  comparison?: string | null;
  threshold?: number | null;
}

export interface ImportReport {
  dry_run: boolean;
  partial: boolean;
  written: boolean;
  counts: Record<ImportAction, number>;
  rules: ImportEntry[];
}

export const IMPORT_ACTIONS: ImportAction[] = ["created", "updated", "unchanged", "skipped", "failed"];
export const EXPORT_PATH = "/api/v1/alerts/rules/export";
export const EXPORT_FILE_NAME = "sentinel-rules.yml";
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

export function importPath(dryRun: boolean, partial: boolean): string {
  return `/api/v1/alerts/rules/import?dry_run=${dryRun}&partial=${partial}`;
}

// "2 created, 1 skipped" (a dry run: "2 to create, 1 to skip"); "nothing" when empty.
export function countsText(r: Pick<ImportReport, "counts" | "written">): string {
  const words: Record<ImportAction, [string, string]> = {
    created: ["created", "to create"],
    updated: ["updated", "to update"],
    unchanged: ["unchanged", "unchanged"],
    skipped: ["skipped", "to skip"],
    failed: ["failed", "failed"],
  };
  const parts = IMPORT_ACTIONS.filter((a) => (r.counts?.[a] ?? 0) > 0).map((a) => `${r.counts[a]} ${words[a][r.written ? 0 : 1]}`);
  return parts.length ? parts.join(", ") : "no rules";
}

// Rules a partial import would write (created or updated).
export function importable(r: ImportReport): number {
  return (r.counts?.created ?? 0) + (r.counts?.updated ?? 0);
}

// What a failed import call means, for the import form: the report of a
// 422 that names failed rules (nothing was written), and the messages of a
// file that cannot be read (each with its line).
export interface ImportFailure {
  message: string;
  details: string[];
  report: ImportReport | null;
}

export function importFailure(err: ApiError): ImportFailure {
  const body = err.body as { report?: ImportReport } | null;
  const report = body && typeof body === "object" && body.report && Array.isArray(body.report.rules) ? body.report : null;
  const details = Array.isArray(err.detail)
    ? (err.detail as ValidationItem[]).map((d) => (typeof d?.msg === "string" && d.msg ? d.msg : "Invalid value"))
    : [];
  if (err.status === 422 && report) {
    const n = report.counts?.failed ?? details.length;
    return { message: `${n} ${n === 1 ? "rule" : "rules"} cannot be imported; nothing was written.`, details: [], report };
  }
  if (err.status === 422) return { message: "The file cannot be read as a rule file:", details, report: null };
  if (err.status === 413) return { message: "The file is over 1 MiB: split it into smaller files.", details: [], report: null };
  if (err.status === 415) return { message: "The file was not sent as YAML.", details: [], report: null };
  if (err.status === 403) return { message: "Importing rules needs the editor role.", details: [], report: null };
  // 502/503/504: the server's own words ("Prometheus unavailable: …").
  return { message: err.message, details: [], report: null };
}
