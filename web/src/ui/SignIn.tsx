import { useRef, useState } from "preact/hooks";
import { login } from "../lib/api";
import { ApiError } from "../lib/errors";
import { Field, type Submit } from "./common";

export function SignIn({ onSignedIn, expired }: { onSignedIn: (token: string) => void; expired: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement | null>(null);

  const submit = async (e: Submit) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await login(email.trim(), password);
      onSignedIn(answer.access_token);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Sign-in failed.");
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">Sentinel</h1>
        {expired && (
          <p class="notice" role="status">
            Your session has ended. Sign in again to continue where you were.
          </p>
        )}
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onInput={setEmail}
          inputRef={(el) => {
            if (el && !emailRef.current) {
              emailRef.current = el;
              el.focus();
            }
          }}
        />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onInput={setPassword} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
