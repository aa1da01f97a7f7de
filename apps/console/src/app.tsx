import { useEffect, useState } from 'react';
import { api, messageOf, onSignedOut, setCsrfToken } from './api';
import { Link, navigate, usePath } from './router';
import type { Session } from './types';
import { SignInPage } from './pages/sign-in-page';
import { AgentsPage } from './pages/agents-page';
import { AgentPage } from './pages/agent-page';
import { QueuesPage } from './pages/queues-page';
import { Notice } from './components/notice';
import { ReadOnlyContext } from './components/read-only';

/** Signs in (or finds the existing session), then shows the page the path names. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);

  const accept = (next: Session) => {
    setCsrfToken(next.signedIn ? (next.csrfToken ?? null) : null);
    setSession(next.signedIn ? next : null);
  };

  useEffect(() => {
    onSignedOut(() => accept({ signedIn: false }));
    api.session().then(accept, (err: unknown) => {
      setBootError(messageOf(err));
      setSession(null);
    });
  }, []);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) {
    return (
      <>
        {bootError && <Notice kind="error">{bootError}</Notice>}
        <SignInPage onSignedIn={accept} />
      </>
    );
  }

  // Leave the signed-in pages (and stop their polling) first, then end the session on the server.
  const signOut = () => {
    accept({ signedIn: false });
    navigate('/');
    api.signOut().catch((err: unknown) => setBootError(`Signing out failed: ${messageOf(err)}`));
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Hookflow
        </Link>
        <nav aria-label="Main">
          <Link to="/">Agents</Link>
          <Link to="/queues">Queues</Link>
        </nav>
        <div className="topbar-end">
          {session.role === 'readonly' && <span className="badge">read-only</span>}
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session.role === 'readonly' && (
          <Notice kind="info">Signed in with the read-only token: you can look around but not change anything.</Notice>
        )}
        <ReadOnlyContext.Provider value={session.role === 'readonly'}>
          <Routes />
        </ReadOnlyContext.Provider>
      </main>
    </div>
  );
}

function Routes() {
  const path = usePath();
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts[0] === 'agents' && parts.length === 1)) return <AgentsPage />;
  if (parts[0] === 'agents' && parts[1] && parts.length <= 3) {
    return <AgentPage agentId={decodeURIComponent(parts[1])} tab={parts[2] === 'triggers' ? 'triggers' : 'overview'} />;
  }
  if (parts[0] === 'queues' && parts.length === 1) return <QueuesPage />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Back to the agents</Link>.
      </p>
    </section>
  );
}
