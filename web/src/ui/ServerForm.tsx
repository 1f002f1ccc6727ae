// Add (or edit) a server: Name, Instance, Job, Description; 422 errors shown
// at their field.
import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { ApiError, fieldErrors, FORM } from "../lib/errors";
import type { ServerInfo } from "../lib/fleet";
import { Field, type Submit } from "./common";

const FIELDS = ["name", "instance", "job_name", "description"];

export function ServerForm(props: {
  title: string;
  initial?: ServerInfo;
  onSaved: (s: ServerInfo) => void;
  onCancel: () => void;
}) {
  const init = props.initial;
  const [name, setName] = useState(init?.name ?? "");
  const [instance, setInstance] = useState(init?.instance ?? "");
  const [job, setJob] = useState(init?.job_name ?? "node");
  const [description, setDescription] = useState(init?.description ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: Submit) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    const body = { name: name.trim(), instance: instance.trim(), job_name: job.trim(), description: description.trim() || null };
    try {
      const saved = init
        ? await api<ServerInfo>(`/api/v1/servers/${init.id}`, { method: "PATCH", body })
        : await api<ServerInfo>("/api/v1/servers/", { method: "POST", body });
      props.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.status === 422 ? fieldErrors(err.detail, FIELDS) : { [FORM]: err.message });
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="server-form-title" noValidate
      onKeyDown={(e) => { if (e.key === "Escape") props.onCancel(); }}>
      <h2 id="server-form-title">{props.title}</h2>
      <Field label="Name" name="name" required value={name} onInput={setName} error={errors.name}
        inputRef={(el) => el && !init && !name && document.activeElement?.tagName !== "INPUT" && el.focus()} />
      <Field label="Instance" name="instance" required value={instance} onInput={setInstance} error={errors.instance}
        hint="host:port of its node_exporter, as Prometheus scrapes it" />
      <Field label="Job" name="job_name" required value={job} onInput={setJob} error={errors.job_name} />
      <Field label="Description" name="description" value={description} onInput={setDescription} error={errors.description} />
      {errors[FORM] && <p class="form-error" role="alert">{errors[FORM]}</p>}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>Save</button>
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
