import { useId, useRef, useState } from 'react';
import { api, messageOf } from '../api';
import type { OutboundSecret } from '../types';
import { Notice } from './notice';
import { formatTime } from './format';
import { useReadOnly } from './read-only';
import { copyText } from './copy-text';

/**
 * The agent's outbound secret: what the receivers of its `notify` calls verify the Standard Webhooks signature with.
 * Fetched and shown only when asked for (it is a secret), and never with the read-only token (the API says 403).
 */
export function OutboundSecretPanel({ agentId }: { agentId: string }) {
  const id = useId();
  const secretRef = useRef<HTMLElement>(null);
  const readOnly = useReadOnly();
  const [secret, setSecret] = useState<OutboundSecret | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [news, setNews] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      setSecret(await api.outboundSecret(agentId));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = () => secret && copyText(secret.secret, secretRef.current, 'Outbound secret', setNews);

  return (
    <section className="outbound-secret" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Outbound secret</h2>
      <p className="muted">
        The agent&apos;s <code>notify</code> steps sign their calls with this secret (Standard Webhooks: <code>webhook-id</code>,{' '}
        <code>webhook-timestamp</code>, <code>webhook-signature</code>). Give it to the receiving system so it can verify them. Rotate it
        with <code>hookflow agents outbound-secret {agentId} --rotate</code>.
      </p>
      {secret ? (
        <>
          <div className="endpoint-row">
            <code id={`${id}-secret`} ref={secretRef} className="endpoint-url" aria-label="Outbound secret">
              {secret.secret}
            </code>
            <button type="button" className="secondary" onClick={copy}>
              Copy
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setSecret(null);
                setNews(null);
              }}
            >
              Hide
            </button>
          </div>
          {secret.previousExpiresAt && (
            <p className="muted">The previous secret also signs until {formatTime(secret.previousExpiresAt)}.</p>
          )}
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => void reveal()} disabled={busy || readOnly}>
          Reveal outbound secret
        </button>
      )}
      {readOnly && <p className="muted">Revealing it needs the admin token.</p>}
      <Notice kind="info">{news}</Notice>
      <Notice kind="error">{error}</Notice>
    </section>
  );
}
