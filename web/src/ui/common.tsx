// Small shared pieces: a time with its exact UTC title, a link that routes,
// a field with its label and error, loading / error / empty states.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { exactUtc, relativeTime } from "../lib/format";
import { linkClick } from "../lib/router";

// Re-renders every `ms` so relative times stay true.
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function Time({ value, now }: { value: string | null | undefined; now?: number }) {
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} title={exactUtc(value)}>
      {relativeTime(value, now)}
    </time>
  );
}

export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" }) {
  return (
    <a href={props.href} class={props.class} aria-current={props["aria-current"]} onClick={(e) => linkClick(e, props.href)}>
      {props.children}
    </a>
  );
}

let fieldSeq = 0;

export function Field(props: {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  inputRef?: (el: HTMLInputElement | null) => void;
}) {
  const [id] = useState(() => `f${++fieldSeq}`);
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
        ref={props.inputRef}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${id}-err`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

// A labelled <select> or <textarea> with its error, like Field.
export function Choice(props: {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  options: { value: string; label: string }[];
  error?: string;
}) {
  const [id] = useState(() => `f${++fieldSeq}`);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value} aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-err` : undefined}
        onChange={(e) => props.onInput((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
      {props.error && <p class="field-error" id={`${id}-err`}>{props.error}</p>}
    </div>
  );
}

export function TextArea(props: { label: string; name: string; value: string; onInput: (v: string) => void; error?: string; hint?: string; rows?: number; placeholder?: string; readOnly?: boolean }) {
  const [id] = useState(() => `f${++fieldSeq}`);
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea id={id} name={props.name} rows={props.rows ?? 3} value={props.value} spellcheck={false} placeholder={props.placeholder} readOnly={props.readOnly}
        aria-invalid={props.error ? "true" : undefined} aria-describedby={described || undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      {props.error && <p class="field-error" id={`${id}-err`}>{props.error}</p>}
    </div>
  );
}

// A labelled checkbox, its label after it.
export function Check(props: { label: string; name: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
  const [id] = useState(() => `f${++fieldSeq}`);
  return (
    <div class="check">
      <input id={id} type="checkbox" name={props.name} checked={props.checked} aria-describedby={props.hint ? `${id}-hint` : undefined}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
    </div>
  );
}

// A group of checkboxes under a legend, its error below.
export function CheckGroup(props: { legend: string; hint?: string; error?: string; children: ComponentChildren }) {
  const [id] = useState(() => `f${++fieldSeq}`);
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <fieldset class="group" aria-describedby={described || undefined}>
      <legend>{props.legend}</legend>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      <div class="checks">{props.children}</div>
      {props.error && <p class="field-error" id={`${id}-err`}>{props.error}</p>}
    </fieldset>
  );
}

// A choice of a few, all in sight: radio buttons under a legend, each
// with an optional hint below it.
export function RadioGroup(props: {
  legend: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string; hint?: string }[];
  error?: string;
}) {
  const [id] = useState(() => `f${++fieldSeq}`);
  return (
    <fieldset class="group radios" aria-describedby={props.error ? `${id}-err` : undefined}>
      <legend>{props.legend}</legend>
      <div class="checks">
        {props.options.map((o, i) => (
          <div class="check" key={o.value}>
            <input id={`${id}-${i}`} type="radio" name={props.name} value={o.value} checked={props.value === o.value}
              aria-describedby={o.hint ? `${id}-${i}-hint` : undefined}
              onChange={(e) => { if ((e.currentTarget as HTMLInputElement).checked) props.onChange(o.value); }} />
            <label for={`${id}-${i}`}>{o.label}</label>
            {o.hint && <p class="hint" id={`${id}-${i}-hint`}>{o.hint}</p>}
          </div>
        ))}
      </div>
      {props.error && <p class="field-error" id={`${id}-err`}>{props.error}</p>}
    </fieldset>
  );
}

// A filter above a list: a small labelled <select>.
export function FilterSelect(props: { id: string; label: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }) {
  return (
    <div class="field inline narrow">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ message }: { message: string }) {
  return (
    <p class="state error" role="alert">
      {message}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state">{children}</p>;
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Sentinel`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

export type Submit = JSX.TargetedEvent<HTMLFormElement, Event>;

// A destructive action asks once more, in place: "Delete" becomes "Delete
// now?" with Cancel (focus moves to the question; Escape cancels), so a
// stray click at 3 a.m. removes nothing.
export function ConfirmButton(props: { label: string; question: string; name: string; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" class="danger" aria-label={`${props.label} ${props.name}`} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={`${props.label} ${props.name}?`}
      onKeyDown={(e) => { if (e.key === "Escape") { e.stopPropagation(); setAsking(false); } }}>
      <button type="button" class="danger" ref={confirm} onClick={() => { setAsking(false); props.onConfirm(); }}>
        {props.question}
      </button>
      <button type="button" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
