import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../api';
import type { Session } from '../types';

/** The admin token (`.hookflow/admin-token` under `npm start`, or HOOKFLOW_ADMIN_TOKEN) opens a session kept in an httpOnly cookie. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(token.trim()));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Hookflow console</h1>
        <p className="muted">
          Sign in with this installation's admin token: <code>HOOKFLOW_ADMIN_TOKEN</code>, or, under <code>npm start</code>, the one in{' '}
          <code>.hookflow/admin-token</code>.
        </p>
        <label htmlFor="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
