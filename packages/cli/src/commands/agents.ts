import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
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
      const agent = await api.request<Agent>('POST', '/agents', { name, ...(opts.description !== undefined ? { description: opts.description } : {}) });
      out.emit(agent, () => record(agent));
    });

  agents
    .command('list')
    .description('list agents')
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (opts: { cursor?: string }, cmd: Command) => {
      const { api, out } = context(cmd);
      const page = await api.request<{ items: Agent[]; nextCursor: string | null }>('GET', `/agents${opts.cursor ? `?cursor=${encodeURIComponent(opts.cursor)}` : ''}`);
      out.emit(page, () => renderTable(page.items, columns) + (page.nextCursor ? `\nmore: hookflow agents list --cursor ${page.nextCursor}` : ''));
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
}
