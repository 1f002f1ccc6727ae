// What every form of the console shares: its values, the API call that
// saves it (a 422's `loc` mapped to the fields, anything else said for the
// whole form), and the card around it (title, Escape to cancel, the
// form-wide error, Save and Cancel).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, fieldErrors, FORM } from "../lib/errors";

export type Errors = Record<string, string>;

// `fields`: the API's field names this form shows an error at; a function
// of the values for a form whose fields change with a choice.
export function useForm<T extends object>(initial: T, fields: readonly string[] | ((values: T) => readonly string[])) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof T>(k: K) => (v: T[K]) => setValues((old) => ({ ...old, [k]: v }));
  // Runs `call` (an API request); on failure shows its errors and returns
  // undefined. Errors other than the API's (a bug) are not swallowed.
  const run = async <R,>(call: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    setErrors({});
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const shown = typeof fields === "function" ? fields(values) : fields;
      setErrors(err.status === 422 ? fieldErrors(err.detail, shown) : { [FORM]: err.message });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    setValues(initial);
    setErrors({});
  };
  return { values, set, setValues, errors, setErrors, busy, run, reset };
}

// The form-wide message: the API's words, or a pointer to the fields.
export function FormErrors({ errors }: { errors: Errors }) {
  if (errors[FORM]) return <p class="form-error" role="alert">{errors[FORM]}</p>;
  if (Object.keys(errors).length > 0) return <p class="form-error" role="alert">Please correct the fields marked above.</p>;
  return null;
}

let formSeq = 0;

export function FormCard(props: {
  title: string;
  onSubmit: () => void;
  onCancel: () => void;
  errors: Errors;
  busy?: boolean;
  wide?: boolean;
  extraButtons?: ComponentChildren; // before Save, e.g. "Preview"
  after?: ComponentChildren; // below the buttons, e.g. the preview
  // Focus its first field when it opens (a form that replaces the button
  // that opened it, so the focus is not lost).
  autoFocus?: boolean;
  children: ComponentChildren;
}) {
  const [titleId] = useState(() => `form-title-${++formSeq}`);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (props.autoFocus) ref.current?.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }, []);
  return (
    <form ref={ref} class={props.wide ? "card form wide" : "card form"} aria-labelledby={titleId} noValidate
      onSubmit={(e) => { e.preventDefault(); props.onSubmit(); }}
      onKeyDown={(e) => { if (e.key === "Escape") props.onCancel(); }}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <FormErrors errors={props.errors} />
      <div class="buttons">
        {props.extraButtons}
        <button type="submit" class="primary" disabled={props.busy}>Save</button>
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
      {props.after}
    </form>
  );
}
