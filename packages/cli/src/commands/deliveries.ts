import { Option, type Command } from 'commander';
import type { ContextFactory } from '../context.js';
import { intInRange } from '../parse-int.js';
import { renderRecord, renderTable, type Column } from '../output.js';

interface Delivery {
  id: string;
  webhookId: string;
  agentId: string;
  workflow: string;
  status: string;
  receivedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  dedupeKey: string | null;
  headers: Record<string, string>;
  payload: unknown;
  result: unknown;
  error: { code: string; message: string } | null;
  steps: { id: string; type: string; status: string; attempts: number }[];
  replayOf: string | null;
}

const statuses = ['held', 'queued', 'running', 'retrying', 'succeeded', 'failed'];

const columns: Column<Delivery>[] = [
  { header: 'id', value: (d) => d.id },
  { header: 'status', value: (d) => d.status },
  { header: 'workflow', value: (d) => d.workflow },
  { header: 'attempts', value: (d) => d.attempts },
  { header: 'received', value: (d) => d.receivedAt },
  { header: 'finished', value: (d) => d.finishedAt },
  { header: 'error', value: (d) => d.error?.code },
  { header: 'replay of', value: (d) => d.replayOf },
];

function record(d: Delivery): string {
  return renderRecord([
    ['id', d.id],
    ['webhook', d.webhookId],
    ['agent', d.agentId],
    ['workflow', d.workflow],
    ['status', d.status],
    ['attempts', d.attempts],
    ['received', d.receivedAt],
    ['started', d.startedAt],
    ['finished', d.finishedAt],
    ['dedupe key', d.dedupeKey],
    ['replay of', d.replayOf],
    ['error', d.error ? `${d.error.code}: ${d.error.message}` : null],
    ['steps', (d.steps ?? []).map((s) => `${s.id}(${s.type}) ${s.status} x${s.attempts}`).join(', ')],
    ['headers', d.headers],
    ['payload', d.payload],
    ['result', d.result],
  ]);
}

export function registerDeliveries(program: Command, context: ContextFactory): void {
  const deliveries = program.command('deliveries').description('inspect, replay and retry deliveries');

  deliveries
    .command('list')
    .description("list a webhook's deliveries, newest first")
    .argument('<webhookId>')
    .addOption(new Option('--status <status>', 'only deliveries in this status').choices(statuses))
    .option('--limit <n>', 'page size (1..200, default 50)', intInRange(1, 200))
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (webhookId: string, opts: { status?: string; limit?: number; cursor?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const query = new URLSearchParams();
      if (opts.status) query.set('status', opts.status);
      if (opts.limit !== undefined) query.set('limit', String(opts.limit));
      if (opts.cursor) query.set('cursor', opts.cursor);
      const qs = query.size > 0 ? `?${query}` : '';
      const page = await api.request<{ items: Delivery[]; nextCursor: string | null }>('GET', `/webhooks/${encodeURIComponent(webhookId)}/deliveries${qs}`);
      out.emit(page, () => renderTable(page.items, columns) + (page.nextCursor ? `\nmore: hookflow deliveries list ${webhookId} --cursor ${page.nextCursor}` : ''));
    });

  deliveries
    .command('show')
    .description('show one delivery with its payload, steps and result')
    .argument('<deliveryId>')
    .action(async (deliveryId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const delivery = await api.request<Delivery>('GET', `/deliveries/${encodeURIComponent(deliveryId)}`);
      out.emit(delivery, () => record(delivery));
    });

  deliveries
    .command('replay')
    .description('run the workflow again on the stored payload (a new delivery)')
    .argument('<deliveryId>')
    .action(async (deliveryId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const replay = await api.request<{ deliveryId: string; replayOf: string }>('POST', `/deliveries/${encodeURIComponent(deliveryId)}/replay`);
      out.emit(replay, () => renderRecord([['delivery', replay.deliveryId], ['replay of', replay.replayOf]]));
    });

  deliveries
    .command('retry-failed')
    .description("retry every failed delivery of a webhook")
    .argument('<webhookId>')
    .action(async (webhookId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const result = await api.request<{ retried: number }>('POST', `/webhooks/${encodeURIComponent(webhookId)}/deliveries/retry-failed`);
      out.emit(result, () => `retried ${result.retried} failed deliver${result.retried === 1 ? 'y' : 'ies'} of ${webhookId}`);
    });
}
