// API errors in words, and 422 `detail[].loc` mapped to form fields.

export interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
  type?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    // The whole JSON answer, for the few callers that read more than
    // `detail` (a channel test's `retry_after_sec`).
    readonly body: unknown = null,
  ) {
    super(describeError(status, detail));
    this.name = "ApiError";
  }
}

// The key of the form-wide message (loc without a field, or a field the
// form does not have).
export const FORM = "_form";

// {"detail": [{"loc": ["body", "threshold"], "msg": "..."}]} → {threshold: "..."}.
// `loc` is ["body", field, ...]: the field is its second element (a nested
// location such as ["body", "labels", "x"] belongs to "labels"), unless
// `fields` names the nested one ("settings.url" for ["body", "settings",
// "url", …]; a nested one it does not name is said at its field, "url: …");
// a location naming no field, or one not in `fields` when given, goes to
// FORM. Several messages for one field are joined.
export function fieldErrors(detail: unknown, fields?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, msg: string) => {
    out[key] = out[key] ? `${out[key]}; ${msg}` : msg;
  };
  if (!Array.isArray(detail)) {
    if (typeof detail === "string" && detail) add(FORM, detail);
    return out;
  }
  for (const item of detail as ValidationItem[]) {
    const loc = Array.isArray(item?.loc) ? item.loc : [];
    const msg = typeof item?.msg === "string" && item.msg ? item.msg : "Invalid value";
    const field = loc.length >= 2 && typeof loc[1] === "string" ? loc[1] : undefined;
    const nested = field && loc.length >= 3 && typeof loc[2] === "string" ? `${field}.${loc[2]}` : undefined;
    if (nested && fields?.includes(nested)) add(nested, msg);
    else if (field && (!fields || fields.includes(field))) add(field, nested && fields ? `${loc[2]}: ${msg}` : msg);
    else add(FORM, field ? `${(fields && nested) || field}: ${msg}` : msg);
  }
  return out;
}

// A sentence for a failed call.
export function describeError(status: number, detail: unknown): string {
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail)) {
    const errors = fieldErrors(detail);
    return Object.entries(errors)
      .map(([k, v]) => (k === FORM ? v : `${k}: ${v}`))
      .join("; ");
  }
  if (status === 0) return "Sentinel cannot be reached; check your connection.";
  if (status === 401) return "Your session has ended; please sign in again.";
  if (status === 403) return "You do not have permission to do this.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many attempts; please wait a moment.";
  if (status >= 500) return `Sentinel could not complete the request (HTTP ${status}).`;
  return `Request failed (HTTP ${status}).`;
}
