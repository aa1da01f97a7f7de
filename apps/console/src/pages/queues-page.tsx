import { api } from '../api';
import { Notice } from '../components/notice';
import { usePoll } from '../components/use-poll';
import { DataTable } from '../components/data-table';
import { StatusBadge } from '../components/status-badge';

/** Queue health: jobs per state and workers per queue; Bull Board at /admin/queues has the rest. */
export function QueuesPage() {
  const queues = usePoll(() => api.queues(), 3000, []);
  const items = queues.data?.items ?? [];
  return (
    <section aria-labelledby="queues-title">
      <div className="page-head">
        <h1 id="queues-title">Queues</h1>
        {/* A full page load: the dashboard is its own app, opened with this same session. */}
        <a className="button secondary" href="/admin/queues">
          Open queue dashboard
        </a>
      </div>
      <p className="muted live">{queues.updatedAt ? `Live: updated ${queues.updatedAt.toLocaleTimeString()}` : 'Loading…'}</p>
      <Notice kind="error">{queues.error && `Could not load the queues: ${queues.error}`}</Notice>
      {queues.data && items.length === 0 && <p className="empty">No queues yet.</p>}
      {items.length > 0 && (
        <DataTable caption="Jobs per queue" columns={['Queue', 'Waiting', 'Active', 'Delayed', 'Completed', 'Failed', 'Paused', 'Workers']}>
          {items.map((queue) => (
            <tr key={queue.name}>
              <th scope="row">
                {queue.name} {queue.isPaused && <StatusBadge status="paused" />}
              </th>
              <td>{queue.counts.waiting}</td>
              <td>{queue.counts.active}</td>
              <td>{queue.counts.delayed}</td>
              <td>{queue.counts.completed}</td>
              <td className={queue.counts.failed > 0 ? 'error-text' : undefined}>{queue.counts.failed}</td>
              <td>{queue.counts.paused}</td>
              <td className={queue.workers === 0 ? 'error-text' : undefined}>{queue.workers}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
