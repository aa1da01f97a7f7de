import { useId, useRef, useState } from 'react';
import { api, messageOf } from '../api';
import type { Webhook } from '../types';
import { StatusBadge } from './status-badge';
import { MoreActionsMenu } from './more-actions-menu';
import { formatTime } from './format';
import { useReadOnly } from './read-only';
import { TestEventDialog } from './test-event-dialog';
import { copyText } from './copy-text';

type News = (kind: 'info' | 'error', text: string) => void;

/** One webhook of the Triggers tab: what it runs, where senders post, and what can be done with it. */
export function WebhookCard({
  webhook,
  selected,
  onSelect,
  onChanged,
  onNews,
}: {
  webhook: Webhook;
  selected: boolean;
  onSelect: () => void;
  onChanged: () => void;
  onNews: News;
}) {
  const endpointId = useId();
  const endpointRef = useRef<HTMLElement>(null);
  const [busy, setBusy] = useState(false);
  const [testing, setTesting] = useState(false);
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

  const copy = () => copyText(webhook.endpoint, endpointRef.current, 'Endpoint URL', (message) => onNews('info', message));

  const generateKey = () =>
    run(async () => {
      await api.generateKey(webhook.id);
      return 'Private key generated. Download it with More Actions → Download Private Key and give it to the sending system.';
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
        <button type="button" className="secondary" onClick={() => setTesting(true)} disabled={busy || !primary || readOnly}>
          Send test event
        </button>
        <button type="button" className="secondary" onClick={onSelect} aria-pressed={selected}>
          Deliveries
        </button>
        <MoreActionsMenu webhook={webhook} hasKey={Boolean(primary)} run={run} />
      </div>
      {testing && (
        <TestEventDialog
          webhook={webhook}
          onClose={() => setTesting(false)}
          onSent={(message) => {
            onNews('info', message);
            onChanged();
          }}
        />
      )}
    </article>
  );
}
