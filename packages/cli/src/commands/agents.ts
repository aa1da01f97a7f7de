import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import { CliError } from '../cli-error.js';
import { intInRange } from '../parse-int.js';
import { renderRecord, renderTable, type Column } from '../output.js';

interface Agent {
  id: string;
  name: string;
  description?: string | null;
  createdAt: string;
}

const columns: Column<Agent>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'name', value: (a) => a.name },
  { header: 'description', value: (a) => a.description },
  { header: 'created', value: (a) => a.createdAt },
];

interface OutboundSecret {
  secret: string;
  scheme: string;
  previousExpiresAt: string | null;
}

const record = (a: Agent) => renderRecord(columns.map((c) => [c.header, c.value(a)] as const));

export function registerAgents(program: Command, context: ContextFactory): void {
  const agents = program.command('agents').description('create and inspect agents');

  agents
    .command('create')
    .description('create an agent')
    .argument('<name>', 'agent name (1..100 characters)')
    .option('-d, --description <text>', 'what the agent does')
    .action(async (name: string, opts: { description?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const agent = await api.request<Agent>('POST', '/agents', {
        name,
        ...(opts.description !== undefined ? { description: opts.description } : {}),
      });
      out.emit(agent, () => record(agent));
    });

  agents
    .command('list')
    .description('list agents')
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (opts: { cursor?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const page = await api.request<{ items: Agent[]; nextCursor: string | null }>(
        'GET',
        `/agents${opts.cursor ? `?cursor=${encodeURIComponent(opts.cursor)}` : ''}`,
      );
      out.emit(
        page,
        () => renderTable(page.items, columns) + (page.nextCursor ? `\nmore: hookflow agents list --cursor ${page.nextCursor}` : ''),
      );
    });

  agents
    .command('show')
    .description('show one agent')
    .argument('<agentId>')
    .action(async (agentId: string, _opts: unknown, cmd: Command) => {
      const { api, out } = context(cmd);
      const agent = await api.request<Agent>('GET', `/agents/${encodeURIComponent(agentId)}`);
      out.emit(agent, () => record(agent));
    });

  agents
    .command('outbound-secret')
    .description("show the secret the agent's notify steps sign with (Standard Webhooks), or rotate it; needs the admin token")
    .argument('<agentId>')
    .option('--rotate', 'make a new secret; the old one keeps signing alongside for --grace seconds')
    .option('--grace <seconds>', 'with --rotate: how long the old secret keeps signing (default 86400)', intInRange(0, 30 * 86_400))
    .action(async (agentId: string, opts: { rotate?: boolean; grace?: number }, cmd: Command) => {
      if (opts.grace !== undefined && !opts.rotate) throw new CliError('--grace only applies with --rotate');
      const { api, out } = context(cmd);
      const path = `/agents/${encodeURIComponent(agentId)}/outbound-secret`;
      const secret = opts.rotate
        ? await api.request<OutboundSecret>('POST', path, opts.grace !== undefined ? { graceSeconds: opts.grace } : {})
        : await api.request<OutboundSecret>('GET', path);
      out.emit(secret, () =>
        renderRecord([
          ['secret', secret.secret],
          ['scheme', secret.scheme],
          ['previous signs until', secret.previousExpiresAt],
        ]),
      );
    });
}
