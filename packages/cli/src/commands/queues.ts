import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import { renderTable, type Column } from '../output.js';

interface QueueInfo {
  name: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; paused: number };
  workers: number;
}

const counts = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'] as const;
const columns: Column<QueueInfo>[] = [
  { header: 'queue', value: (q) => q.name },
  ...counts.map((name) => ({ header: name, value: (q: QueueInfo) => q.counts?.[name] ?? 0 })),
  { header: 'workers', value: (q) => q.workers },
];

export function registerQueues(program: Command, context: ContextFactory): void {
  program
    .command('queues')
    .description('job counts and workers of every queue')
    .action(async (_opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const page = await api.request<{ items: QueueInfo[] }>('GET', '/queues');
      out.emit(page, () => renderTable(page.items, columns));
    });
}
