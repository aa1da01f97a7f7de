/**
 * The variables that point the example workflows at the demo upstreams (`npm run demo:upstreams`), shared by the
 * demo script, which prints and records them, and `npm start`, which gives them to its worker so the examples run
 * whichever of the two is started first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const defaultDemoPort = 4780;
export const demoHost = '127.0.0.1';

/** `HOOKFLOW_VAR_*` for each stand-in service under `url`, and the one egress allowance they need. */
export function demoVars(url: string): Record<string, string> {
  const { host } = new URL(url);
  return {
    HOOKFLOW_VAR_DOCS_URL: `${url}/docs`,
    HOOKFLOW_VAR_CRM_URL: `${url}/crm`,
    HOOKFLOW_VAR_COMPLIANCE_URL: `${url}/compliance`,
    HOOKFLOW_VAR_NOTIFY_URL: `${url}/notify`,
    // The worker refuses loopback unless allowed: exactly this port, nothing else on the machine.
    HOOKFLOW_EGRESS_ALLOW: host,
  };
}

/** The `.env` text of `vars` (what `set -a; . .hookflow/demo.env` or an `env_file` reads). */
export function envFileText(vars: Record<string, string>): string {
  return `# Written by npm run demo:upstreams: the variables that point the example workflows at the demo upstreams.\n${Object.entries(vars)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n')}\n`;
}

/**
 * Outside production, fills in each demo variable `env` does not set: from `<home>/demo.env` when the demo script
 * wrote one, else for the demo's default port. Variables already set win; the allowance is added to any allow list
 * already set, and only when a demo URL was filled in. Returns the base URL the worker then expects, or null.
 */
export function applyDemoDefaults(env: NodeJS.ProcessEnv, home: string): string | null {
  if (env.NODE_ENV === 'production') return null;
  const recorded = join(home, 'demo.env');
  const vars = existsSync(recorded) ? parseEnvFile(readFileSync(recorded, 'utf8')) : demoVars(`http://${demoHost}:${defaultDemoPort}`);
  const { HOOKFLOW_EGRESS_ALLOW: allowance, ...urls } = vars;
  const filled = Object.entries(urls).filter(([name]) => !env[name]);
  if (filled.length === 0 || !allowance) return null;
  for (const [name, value] of filled) env[name] = value;
  env.HOOKFLOW_EGRESS_ALLOW = env.HOOKFLOW_EGRESS_ALLOW ? `${env.HOOKFLOW_EGRESS_ALLOW},${allowance}` : allowance;
  return `http://${allowance}`;
}

function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]!] = match[2]!;
  }
  return vars;
}
