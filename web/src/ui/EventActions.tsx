// What an editor does with a firing event: Acknowledge, and "silence this"
// (its rule on its server) for 1 h … 7 d or a custom length. Used by the
// events list and by an event's page.
import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { choiceMs, formatDuration, type LengthChoice } from "../lib/duration";
import { ApiError } from "../lib/errors";
import { silenceFor, type AlertEvent } from "../lib/events";
import { SilenceLength } from "./SilenceLength";

export function EventActions({ e, onChanged, onError, silencedFor }: {
  e: AlertEvent; onChanged: (e: AlertEvent) => void; onError: (m: string) => void;
  silencedFor?: string; // already muted: says so instead of offering a silence
}) {
  const [length, setLength] = useState<LengthChoice>({ preset: "1", custom: "" });
  const [tried, setTried] = useState(false);
  const [silenced, setSilenced] = useState<string | null>(null);
  const ack = async () => {
    try {
      onChanged(await api<AlertEvent>(`/api/v1/alerts/events/${e.id}/ack`, { method: "POST" }));
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  const silence = async () => {
    setTried(true);
    const ms = choiceMs(length);
    if (ms === null) return;
    try {
      await api("/api/v1/alerts/silences/", { method: "POST", body: silenceFor(e, ms, Date.now()) });
      setSilenced(`Silenced for ${formatDuration(ms)}`);
    } catch (err) {
      if (err instanceof ApiError) onError(err.message);
    }
  };
  return (
    <div class="row-actions">
      {e.status === "firing" && !e.acknowledged && <button type="button" onClick={ack}>Acknowledge</button>}
      {e.status === "firing" && (silenced || silencedFor ? <span class="sub" role="status">{silenced ?? silencedFor}</span> : (
        <>
          <SilenceLength label="Silence for" compact value={length} onChange={setLength} showErrors={tried} />
          <button type="button" onClick={silence}>Silence</button>
        </>
      ))}
    </div>
  );
}
