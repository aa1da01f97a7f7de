import { useId, useRef, useState } from 'react';
import { api, messageOf } from '../api';
import type { Webhook } from '../types';
import { StatusBadge } from './status-badge';
import { MoreActionsMenu } from './more-actions-menu';
import { formatTime } from './format';
import { useReadOnly } from './read-only';

type News = (kind: 'info' | 'error', text: string) => void;

/** One webhook of the Triggers tab: what it runs, where senders post, and what can be done with it. */
export function WebhookCard({ webhook, selected, onSelect, onChanged, onNews }: { webhook: Webhook; selected: boolean; onSelect: () => void; onChanged: () => void; onNews: News }) {
  const endpointId = useId();
  const endpointRef = useRef<HTMLElement>(null);
  const [busy, setBusy] = useState(false);
  const readOnly = useReadOnly();
  const primary = webhook.keys.find((key) => key.primary);
  const graceKeys = webhook.keys.filter((key) => !key.primary);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    try {
      onNews('info', await action());
    } catch (err) {
      onNews('error', messageOf(err));
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  const copy = () => {
    const select = () => {
      const selection = window.getSelection();
      if (!endpointRef.current || !selection) return;
      const range = document.createRange();
      range.selectNodeContents(endpointRef.current);
      selection.removeAllRanges();
      selection.addRange(range);
    };
    // The Clipboard API needs a secure context and permission; otherwise select the text for Ctrl+C.
    const write = navigator.clipboard?.writeText(webhook.endpoint);
    if (!write) {
      select();
      onNews('info', 'The endpoint URL is selected: press Ctrl+C (⌘C) to copy it.');
      return;
    }
    write.then(
      () => onNews('info', 'Endpoint URL copied.'),
      () => {
        select();
        onNews('info', 'The endpoint URL is selected: press Ctrl+C (⌘C) to copy it.');
      },
    );
  };

  const generateKey = () =>
    run(async () => {
      await api.generateKey(webhook.id);
      return 'Private key generated. Download it with More Actions → Download Private Key and give it to the sending system.';
    });

  const sendTestEvent = () =>
    run(async () => {
      const answer = await api.sendTestEvent(webhook.id);
      const body = answer.response.body as { deliveryId?: string; status?: string; code?: string; detail?: string } | null;
      if (answer.response.status >= 200 && answer.response.status < 300) {
        return `Test event accepted (${answer.response.status}): delivery ${body?.deliveryId ?? '?'} is ${body?.status ?? 'queued'}.`;
      }
      throw new Error(`Test event refused (${answer.response.status} ${body?.code ?? ''}): ${body?.detail ?? 'no detail'}`);
    });

  return (
    <article className={`webhook${selected ? ' webhook-selected' : ''}`} aria-labelledby={`${endpointId}-name`}>
      <header className="webhook-head">
        <h3 id={`${endpointId}-name`}>{webhook.name}</h3>
        <StatusBadge status={webhook.status} />
      </header>
      <dl className="facts">
        <dt>Workflow</dt>
        <dd>{webhook.workflow}</dd>
        <dt>Scheme</dt>
        <dd>{webhook.scheme}</dd>
        <dt>Private key</dt>
        <dd>
          {primary ? `${primary.id}, created ${formatTime(primary.createdAt)}` : 'none yet'}
          {graceKeys.map((key) => (
            <span key={key.id} className="muted">
              {' '}
              · previous key valid until {formatTime(key.expiresAt)}
            </span>
          ))}
        </dd>
      </dl>
      <div className="endpoint">
        <span id={`${endpointId}-label`} className="label">
          Endpoint URL
        </span>
        <div className="endpoint-row">
          <code id={endpointId} ref={endpointRef} className="endpoint-url" aria-labelledby={`${endpointId}-label`}>
            {webhook.endpoint}
          </code>
          <button type="button" className="secondary" onClick={copy} aria-label={`Copy endpoint URL of ${webhook.name}`}>
            Copy
          </button>
        </div>
      </div>
      <div className="actions">
        {!primary && (
          <button type="button" onClick={() => void generateKey()} disabled={busy || readOnly}>
            Generate Private Key
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void sendTestEvent()} disabled={busy || !primary || readOnly}>
          Send test event
        </button>
        <button type="button" className="secondary" onClick={onSelect} aria-pressed={selected}>
          Deliveries
        </button>
        <MoreActionsMenu webhook={webhook} hasKey={Boolean(primary)} run={run} />
      </div>
    </article>
  );
}
