import { useState } from 'react';
import { api, messageOf } from '../api';
import { deliveryStatuses, type Webhook } from '../types';
import { Notice } from './notice';
import { StatusBadge } from './status-badge';
import { usePoll } from './use-poll';
import { formatDuration, formatTime } from './format';
import { DeliveryDetail } from './delivery-detail';
import { DataTable } from './data-table';
import { useReadOnly } from './read-only';

/** How often the table asks for news: often enough to feel live, cheap for the server (one small list call). */
const pollMs = 1500;

/** A webhook's deliveries, newest first, refreshed while open; a row opens its detail. */
export function DeliveriesPanel({ webhook }: { webhook: Webhook }) {
  const [status, setStatus] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const readOnly = useReadOnly();
  const [news, setNews] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const deliveries = usePoll(() => api.deliveries(webhook.id, status), pollMs, [webhook.id, status]);
  const items = deliveries.data?.items ?? [];

  const retryFailed = async () => {
    try {
      const { retried } = await api.retryFailed(webhook.id);
      setNews({
        kind: 'info',
        text: retried === 0 ? 'No failed deliveries to retry.' : `Retrying ${retried} failed ${retried === 1 ? 'delivery' : 'deliveries'}.`,
      });
      deliveries.refresh();
    } catch (err) {
      setNews({ kind: 'error', text: `Retry failed: ${messageOf(err)}` });
    }
  };

  return (
    <section className="deliveries" aria-labelledby="deliveries-title">
      <div className="page-head">
        <h2 id="deliveries-title">Deliveries of “{webhook.name}”</h2>
        <div className="toolbar">
          <label htmlFor="delivery-status" className="inline-label">
            Status
          </label>
          <select id="delivery-status" value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">all</option>
            {deliveryStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="button" className="secondary" onClick={() => void retryFailed()} disabled={readOnly}>
            Retry failed
          </button>
        </div>
      </div>
      <p className="muted live" aria-live="off">
        {deliveries.updatedAt ? `Live: updated ${deliveries.updatedAt.toLocaleTimeString()}` : 'Loading…'}
      </p>
      {news && <Notice kind={news.kind}>{news.text}</Notice>}
      <Notice kind="error">{deliveries.error && `Could not load the deliveries: ${deliveries.error}`}</Notice>
      {deliveries.data && items.length === 0 && (
        <p className="empty">
          No deliveries{status ? ` with status ${status}` : ''} yet. Send a test event, or a signed request to the endpoint.
        </p>
      )}
      {items.length > 0 && (
        <DataTable
          caption="Deliveries, newest first"
          className="deliveries-table"
          columns={['ID', 'Status', 'Received', 'Duration', 'Attempts']}
        >
          {items.map((delivery) => (
            <tr key={delivery.id} data-delivery-id={delivery.id} className={openId === delivery.id ? 'row-open' : undefined}>
              <td data-label="ID">
                <button
                  type="button"
                  className="link-button mono"
                  onClick={() => setOpenId(delivery.id)}
                  aria-label={`Open delivery ${delivery.id}`}
                >
                  {delivery.id}
                </button>
                {delivery.replayOf && <span className="muted"> (replay)</span>}
              </td>
              <td data-label="Status">
                <StatusBadge status={delivery.status} />
                {delivery.waitingFor && (
                  <span className="muted waiting-note">
                    {' '}
                    for <code>{delivery.waitingFor.signal}</code> until {formatTime(delivery.waitingFor.expiresAt)}
                  </span>
                )}
              </td>
              <td data-label="Received">{formatTime(delivery.receivedAt)}</td>
              <td data-label="Duration">{formatDuration(delivery.receivedAt, delivery.finishedAt)}</td>
              <td data-label="Attempts">{delivery.attempts}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {openId && (
        <DeliveryDetail
          key={openId}
          deliveryId={openId}
          onOpen={setOpenId}
          onClose={() => setOpenId(null)}
          onReplayed={(newId) => {
            setNews({ kind: 'info', text: `Replayed as ${newId}.` });
            deliveries.refresh();
          }}
        />
      )}
    </section>
  );
}
