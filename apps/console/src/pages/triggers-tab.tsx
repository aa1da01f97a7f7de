import { useState } from 'react';
import { api } from '../api';
import { Notice } from '../components/notice';
import { usePoll } from '../components/use-poll';
import { WebhookCard } from '../components/webhook-card';
import { CreateWebhookDialog } from '../components/create-webhook-dialog';
import { DeliveriesPanel } from '../components/deliveries-panel';
import { useReadOnly } from '../components/read-only';

/** The agent's webhooks: create them, give them keys, copy their endpoints, watch their deliveries. */
export function TriggersTab({ agentId }: { agentId: string }) {
  const webhooks = usePoll(() => api.webhooks(agentId), 0, [agentId]);
  const [creating, setCreating] = useState(false);
  const readOnly = useReadOnly();
  const [selected, setSelected] = useState<string | null>(null);
  const [news, setNews] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);

  const items = webhooks.data?.items ?? [];
  const current = items.find((webhook) => webhook.id === selected) ?? (items.length === 1 ? items[0] : undefined);

  return (
    <div className="triggers">
      <div className="page-head">
        <h2>Webhooks</h2>
        <button type="button" onClick={() => setCreating(true)} disabled={readOnly}>
          Create Webhook
        </button>
      </div>
      {news && <Notice kind={news.kind}>{news.text}</Notice>}
      <Notice kind="error">{webhooks.error && `Could not load the webhooks: ${webhooks.error}`}</Notice>
      {webhooks.data && items.length === 0 && (
        <p className="empty">
          No webhooks yet. Create one and pick the workflow it runs; then generate its private key and give the endpoint to the sending
          system.
        </p>
      )}
      <ul className="webhook-list" aria-label="Webhooks">
        {items.map((webhook) => (
          <li key={webhook.id}>
            <WebhookCard
              webhook={webhook}
              selected={current?.id === webhook.id}
              onSelect={() => setSelected(webhook.id)}
              onChanged={() => webhooks.refresh()}
              onNews={(kind, text) => setNews({ kind, text })}
            />
          </li>
        ))}
      </ul>
      {current && <DeliveriesPanel key={current.id} webhook={current} />}
      {creating && (
        <CreateWebhookDialog
          agentId={agentId}
          onClose={() => setCreating(false)}
          onCreated={(webhook) => {
            setCreating(false);
            setSelected(webhook.id);
            setNews({
              kind: 'info',
              text: `Webhook “${webhook.name}” created. Generate its private key next: senders sign every request with it.`,
            });
            webhooks.refresh();
          }}
        />
      )}
    </div>
  );
}
