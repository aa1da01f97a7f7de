import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryStatuses } from '@hookflow/protocol';
import { Option, type Command } from 'commander';
import type { AdminApi } from '../admin-api.js';
import { CliError } from '../cli-error.js';
import type { ContextFactory } from '../context.js';
import { queryString } from '../query-string.js';
import { intInRange } from '../parse-int.js';
import { readData } from '../key-file.js';
import { renderRecord, renderTable, type Column } from '../output.js';
import { startProgress } from '../progress.js';

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
  cancelledAt?: string | null;
  concurrencyKey?: string | null;
  debounceKey?: string | null;
  supersededBy?: string | null;
  waitingBehind?: string | null;
  waitingFor?: { stepId: string; signal: string; expiresAt: string } | null;
}

/** `POST /deliveries/{id}/signals/{name}`: the wait that took the signal resumes. */
interface SignalAnswer {
  deliveryId: string;
  signal: string;
  status: string;
}

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
    ['cancelled', d.cancelledAt ?? null],
    ['dedupe key', d.dedupeKey],
    ['concurrency key', d.concurrencyKey ?? null],
    ['waiting behind', d.waitingBehind ?? null],
    ['waiting for', d.waitingFor ? `signal ${d.waitingFor.signal} (step ${d.waitingFor.stepId}) until ${d.waitingFor.expiresAt}` : null],
    ['debounce key', d.debounceKey ?? null],
    ['superseded by', d.supersededBy ?? null],
    ['replay of', d.replayOf],
    ['error', d.error ? `${d.error.code}: ${d.error.message}` : null],
    ['steps', (d.steps ?? []).map((s) => `${s.id}(${s.type}) ${s.status} x${s.attempts}`).join(', ')],
    ['headers', d.headers],
    ['payload', d.payload],
    ['result', d.result],
  ]);
}

export function registerDeliveries(program: Command, context: ContextFactory): void {
  const deliveries = program.command('deliveries').description('inspect, replay, retry and cancel deliveries');

  deliveries
    .command('list')
    .description("list a webhook's deliveries, newest first")
    .argument('<webhookId>')
    .addOption(new Option('--status <status>', 'only deliveries in this status').choices(deliveryStatuses))
    .option('--limit <n>', 'page size (1..200, default 50)', intInRange(1, 200))
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (webhookId: string, opts: { status?: string; limit?: number; cursor?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const qs = queryString({ status: opts.status, limit: opts.limit, cursor: opts.cursor });
      const page = await api.request<{ items: Delivery[]; nextCursor: string | null }>(
        'GET',
        `/webhooks/${encodeURIComponent(webhookId)}/deliveries${qs}`,
      );
      out.emit(
        page,
        () =>
          renderTable(page.items, columns) +
          (page.nextCursor ? `\nmore: hookflow deliveries list ${webhookId} --cursor ${page.nextCursor}` : ''),
      );
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
      const replay = await api.request<{ deliveryId: string; replayOf: string }>(
        'POST',
        `/deliveries/${encodeURIComponent(deliveryId)}/replay`,
      );
      out.emit(replay, () =>
        renderRecord([
          ['delivery', replay.deliveryId],
          ['replay of', replay.replayOf],
        ]),
      );
    });

  deliveries
    .command('cancel')
    .description('cancel a held, queued, retrying, waiting or running delivery; it never runs again')
    .argument('<deliveryId>')
    .action(async (deliveryId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const delivery = await api.request<Delivery>('POST', `/deliveries/${encodeURIComponent(deliveryId)}/cancel`);
      out.emit(delivery, () => `cancelled ${delivery.id} at ${delivery.cancelledAt ?? delivery.finishedAt}`);
    });

  deliveries
    .command('signal')
    .description("send the signal a waiting delivery's wait step waits for; its JSON becomes the step's output and the run resumes")
    .argument('<deliveryId>')
    .argument('<name>', 'the signal name of the wait step')
    .requiredOption('-d, --data <json|@file|->', 'the JSON body, inline, @file, or - (or @-) for stdin')
    .action(async (deliveryId: string, name: string, opts: { data: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const body = readData(opts.data);
      const answer = await api.request<SignalAnswer>(
        'POST',
        `/deliveries/${encodeURIComponent(deliveryId)}/signals/${encodeURIComponent(name)}`,
        body,
      );
      out.emit(answer, () => `${answer.status} ${answer.deliveryId} with signal ${answer.signal}`);
    });

  deliveries
    .command('retry-failed')
    .description('retry every failed delivery of a webhook')
    .argument('<webhookId>')
    .option('--wait', 'follow the retried deliveries until they finish (a progress bar shows on a terminal)')
    .option('--wait-timeout <seconds>', 'stop following after this long', intInRange(1), 300)
    .action(async (webhookId: string, opts: { wait?: boolean; waitTimeout: number }, cmd: Command) => {
      const { api, out } = context(cmd);
      const path = `/webhooks/${encodeURIComponent(webhookId)}/deliveries`;
      // The answer only counts what was retried, so the ones to follow are listed first.
      const toFollow = opts.wait ? await failedIds(api, path) : [];
      const result = await api.request<{ retried: number }>('POST', `${path}/retry-failed`);
      const line = `retried ${result.retried} failed deliver${result.retried === 1 ? 'y' : 'ies'} of ${webhookId}`;
      if (!opts.wait || result.retried === 0) return out.emit(result, () => line);

      const progress = startProgress(toFollow.length, 'retrying', !out.json && process.stderr.isTTY === true);
      const outcome = await follow(api, toFollow, Date.now() + opts.waitTimeout * 1000, progress.tick).finally(progress.stop);
      const summary = { retried: result.retried, ...outcome };
      out.emit(summary, () => renderRecord(Object.entries(summary)));
      if (outcome.failed > 0 || outcome.unfinished > 0) {
        throw new CliError(`${outcome.failed} failed again and ${outcome.unfinished} did not finish within ${opts.waitTimeout} s`);
      }
    });
}

/** Every failed delivery of a webhook, across pages. */
async function failedIds(api: AdminApi, path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = new URLSearchParams({ status: 'failed', limit: '200', ...(cursor ? { cursor } : {}) }).toString();
    const page: { items: Delivery[]; nextCursor: string | null } = await api.request('GET', `${path}?${query}`);
    ids.push(...page.items.map((d) => d.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Polls the deliveries until each has finished (succeeded or failed) or the deadline passes. */
async function follow(api: AdminApi, ids: string[], deadline: number, onFinished: () => void) {
  const outcome = { succeeded: 0, failed: 0, unfinished: 0 };
  let pending = ids;
  while (pending.length > 0 && Date.now() < deadline) {
    const statuses: string[] = [];
    // A few dozen requests at a time, so following thousands does not flood the API.
    for (let i = 0; i < pending.length; i += 25) {
      const chunk = pending.slice(i, i + 25);
      statuses.push(
        ...(await Promise.all(
          chunk.map((id) => api.request<Delivery>('GET', `/deliveries/${encodeURIComponent(id)}`).then((d) => d.status)),
        )),
      );
    }
    pending = pending.filter((_, i) => {
      const status = statuses[i];
      if (status !== 'succeeded' && status !== 'failed') return true;
      outcome[status]++;
      onFinished();
      return false;
    });
    if (pending.length > 0) await sleep(500);
  }
  outcome.unfinished = pending.length;
  return outcome;
}
