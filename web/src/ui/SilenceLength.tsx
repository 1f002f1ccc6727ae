// How long a silence lasts: 1 h, 4 h, 24 h, 3 d, 7 d or a custom length
// typed as in Alertmanager ("90m", "2h30m", "10d"). Used by the Silences
// form and by "silence this" on an event.
import { useState } from "preact/hooks";
import { PRESET_HOURS, presetLabel, silenceLengthError, type LengthChoice } from "../lib/duration";

let seq = 0;

export function SilenceLength(props: {
  label: string;
  value: LengthChoice;
  onChange: (v: LengthChoice) => void;
  compact?: boolean; // in a table row: the label is for screen readers only
  error?: string; // the API's error for ends_at
  showErrors?: boolean; // after a submit attempt
}) {
  const [id] = useState(() => `len${++seq}`);
  const custom = props.value.preset === "custom";
  const typedError = custom && props.showErrors ? silenceLengthError(props.value.custom) : null;
  const error = typedError ?? props.error;
  const labelClass = props.compact ? "sr-only" : undefined;
  return (
    <div class={props.compact ? "length compact" : "field length"}>
      <label class={labelClass} for={id}>{props.label}</label>
      <select id={id} class={props.compact ? "compact" : undefined} value={props.value.preset}
        onChange={(e) => props.onChange({ ...props.value, preset: (e.currentTarget as HTMLSelectElement).value })}>
        {PRESET_HOURS.map((h) => <option value={String(h)}>{presetLabel(h)}</option>)}
        <option value="custom">Custom…</option>
      </select>
      {custom && (
        <>
          <label class={labelClass} for={`${id}-custom`}>Custom length</label>
          <input id={`${id}-custom`} class={props.compact ? "compact short" : "short"} value={props.value.custom}
            placeholder="e.g. 2h30m" aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? `${id}-err` : undefined}
            onInput={(e) => props.onChange({ ...props.value, custom: (e.currentTarget as HTMLInputElement).value })} />
        </>
      )}
      {error && <p class="field-error" id={`${id}-err`}>{error}</p>}
    </div>
  );
}
