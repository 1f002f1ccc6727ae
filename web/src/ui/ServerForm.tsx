// Add (or edit) a server: Name, Instance, Job, Description; 422 errors shown
// at their field.
import { api } from "../lib/api";
import type { ServerInfo } from "../lib/fleet";
import { Field } from "./common";
import { FormCard, useForm } from "./forms";

const FIELDS = ["name", "instance", "job_name", "description"];

export function ServerForm(props: {
  title: string;
  initial?: ServerInfo;
  onSaved: (s: ServerInfo) => void;
  onCancel: () => void;
}) {
  const init = props.initial;
  const form = useForm({
    name: init?.name ?? "", instance: init?.instance ?? "", job: init?.job_name ?? "node", description: init?.description ?? "",
  }, FIELDS);
  const { values: v, set, errors } = form;

  const submit = async () => {
    const body = { name: v.name.trim(), instance: v.instance.trim(), job_name: v.job.trim(), description: v.description.trim() || null };
    const saved = await form.run(() => init
      ? api<ServerInfo>(`/api/v1/servers/${init.id}`, { method: "PATCH", body })
      : api<ServerInfo>("/api/v1/servers/", { method: "POST", body }));
    if (saved) props.onSaved(saved);
  };

  return (
    <FormCard title={props.title} onSubmit={submit} onCancel={props.onCancel} errors={errors} busy={form.busy}>
      <Field label="Name" name="name" required value={v.name} onInput={set("name")} error={errors.name}
        inputRef={(el) => el && !init && !v.name && document.activeElement?.tagName !== "INPUT" && el.focus()} />
      <Field label="Instance" name="instance" required value={v.instance} onInput={set("instance")} error={errors.instance}
        hint="host:port of its node_exporter, as Prometheus scrapes it" />
      <Field label="Job" name="job_name" required value={v.job} onInput={set("job")} error={errors.job_name} />
      <Field label="Description" name="description" value={v.description} onInput={set("description")} error={errors.description} />
    </FormCard>
  );
}
