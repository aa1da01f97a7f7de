import { Option, type Command } from 'commander';
import type { ContextFactory } from '../context.js';
import { renderRecord, renderTable, type Column } from '../output.js';
import { intInRange } from '../parse-int.js';
import { queryString } from '../query-string.js';

export interface Webhook {
  id: string;
  agentId: string;
  name?: string | null;
  workflow: string;
  scheme: string;
  status: string;
  endpoint: string;
  keys: { id: string; primary: boolean; createdAt: string; expiresAt: string | null }[];
  options?: unknown;
  createdAt: string;
}

const schemes = ['uptiq', 'standard-webhooks', 'github', 'stripe', 'slack', 'shopify'];

const columns: Column<Webhook>[] = [
  { header: 'id', value: (w) => w.id },
  { header: 'name', value: (w) => w.name },
  { header: 'workflow', value: (w) => w.workflow },
  { header: 'scheme', value: (w) => w.scheme },
  { header: 'status', value: (w) => w.status },
  { header: 'endpoint', value: (w) => w.endpoint },
];

function record(w: Webhook): string {
  const primary = w.keys.find((k) => k.primary);
  return renderRecord([
    ...columns.map((c) => [c.header, c.value(w)] as const),
    ['agent', w.agentId],
    ['primary key', primary ? `${primary.id} (created ${primary.createdAt})` : 'none yet: hookflow keys generate ' + w.id],
    [
      'other keys',
      w.keys
        .filter((k) => !k.primary)
        .map((k) => `${k.id} until ${k.expiresAt ?? 'revoked'}`)
        .join(', '),
    ],
    ['options', w.options],
    ['created', w.createdAt],
  ]);
}

export function registerWebhooks(program: Command, context: ContextFactory): void {
  const webhooks = program.command('webhooks').description("create, inspect and switch an agent's webhooks");

  webhooks
    .command('create')
    .description('create a webhook for an agent, bound to a workflow')
    .requiredOption('--agent <agentId>', 'the agent that owns the webhook')
    .requiredOption('--workflow <name>', 'workflow to run for each delivery (e.g. echo)')
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(schemes))
    .option('--name <name>', 'a name for people')
    .action(async (opts: { agent: string; workflow: string; scheme?: string; name?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const body = { workflow: opts.workflow, ...(opts.scheme ? { scheme: opts.scheme } : {}), ...(opts.name ? { name: opts.name } : {}) };
      const webhook = await api.request<Webhook>('POST', `/agents/${encodeURIComponent(opts.agent)}/webhooks`, body);
      out.emit(webhook, () => record(webhook));
    });

  webhooks
    .command('list')
    .description("list an agent's webhooks")
    .requiredOption('--agent <agentId>')
    .option('--limit <n>', 'page size (1..200, default 50)', intInRange(1, 200))
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (opts: { agent: string; limit?: number; cursor?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const qs = queryString({ limit: opts.limit, cursor: opts.cursor });
      const page = await api.request<{ items: Webhook[]; nextCursor: string | null }>(
        'GET',
        `/agents/${encodeURIComponent(opts.agent)}/webhooks${qs}`,
      );
      out.emit(
        page,
        () =>
          renderTable(page.items, columns) +
          (page.nextCursor ? `\nmore: hookflow webhooks list --agent ${opts.agent} --cursor ${page.nextCursor}` : ''),
      );
    });

  webhooks
    .command('show')
    .description('show one webhook')
    .argument('<webhookId>')
    .action(async (webhookId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const webhook = await api.request<Webhook>('GET', `/webhooks/${encodeURIComponent(webhookId)}`);
      out.emit(webhook, () => record(webhook));
    });

  const setStatus = (name: string, status: 'paused' | 'enabled' | 'disabled', description: string) =>
    webhooks
      .command(name)
      .description(description)
      .argument('<webhookId>')
      .action(async (webhookId: string, _opts: unknown, cmd: Command) => {
        const { api, out } = context(cmd);
        const webhook = await api.request<Webhook>('PATCH', `/webhooks/${encodeURIComponent(webhookId)}`, { status });
        out.emit(webhook, () => `${webhook.id} is now ${webhook.status}`);
      });
  setStatus('pause', 'paused', 'hold new deliveries (answered 202 "held") until resumed');
  setStatus('resume', 'enabled', 'enable the webhook again; held deliveries are released in arrival order');
  setStatus('disable', 'disabled', 'refuse new deliveries (403 webhook_disabled)');
}
