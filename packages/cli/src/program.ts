import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { contextFactory } from './context.js';
import { registerAgents } from './commands/agents.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerKeys } from './commands/keys.js';
import { registerDeliveries } from './commands/deliveries.js';
import { registerQueues } from './commands/queues.js';
import { registerSend } from './commands/send.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The `hookflow` command tree. `env` is the only place settings come from (HOOKFLOW_URL, HOOKFLOW_ADMIN_TOKEN…). */
export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('hookflow')
    .description(
      'Manage Hookflow agents, webhooks, keys, deliveries and queues, and send signed events.\nReads HOOKFLOW_URL (default: the URL npm start wrote to .hookflow/url, else http://localhost:8080) and HOOKFLOW_ADMIN_TOKEN (default: .hookflow/admin-token).',
    )
    .version(version())
    .option('--json', 'print JSON for machines instead of tables')
    .option('--url <url>', 'Hookflow base URL (overrides HOOKFLOW_URL)')
    .showSuggestionAfterError(true)
    // Errors come back to main() as exceptions (inherited by every subcommand), so exit codes are decided in one place.
    .exitOverride();
  const context = contextFactory(env);
  registerAgents(program, context);
  registerWebhooks(program, context);
  registerKeys(program, context);
  registerDeliveries(program, context);
  registerQueues(program, context);
  registerSend(program, context);
  return program;
}
