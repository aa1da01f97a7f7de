import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';

const schema = z.object({
  HOOKFLOW_URL: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).default('http://localhost:8080'),
  HOOKFLOW_ADMIN_TOKEN: z.string().optional(),
  HOOKFLOW_HOME: z.string().optional(),
});

export interface CliConfig {
  /** Base URL of the ingress, without a trailing slash. */
  url: string;
  /** The admin bearer token; resolved only when a command needs it, so `send` works without one. */
  adminToken: () => string;
}

/**
 * Reads the CLI's settings from `env`. The admin token comes from `HOOKFLOW_ADMIN_TOKEN`, else from the file that
 * `npm start` writes (`$HOOKFLOW_HOME/admin-token`, by default `./.hookflow/admin-token`).
 */
export function loadCliConfig(env: NodeJS.ProcessEnv, urlOverride?: string): CliConfig {
  const parsed = schema.safeParse({ ...env, ...(urlOverride ? { HOOKFLOW_URL: urlOverride } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`${issue.path.join('.') === 'HOOKFLOW_URL' && urlOverride ? '--url' : issue.path.join('.')} ${issue.message}`);
  }
  const { HOOKFLOW_URL, HOOKFLOW_ADMIN_TOKEN, HOOKFLOW_HOME } = parsed.data;
  const tokenFile = join(resolve(HOOKFLOW_HOME || '.hookflow'), 'admin-token');
  return {
    url: HOOKFLOW_URL.replace(/\/+$/, ''),
    adminToken: () => {
      if (HOOKFLOW_ADMIN_TOKEN?.trim()) return HOOKFLOW_ADMIN_TOKEN.trim();
      let fromFile = '';
      try {
        fromFile = readFileSync(tokenFile, 'utf8').trim();
      } catch {
        // no file: reported below
      }
      if (!fromFile) throw new CliError(`no admin token: set HOOKFLOW_ADMIN_TOKEN (or run from the directory where npm start wrote ${tokenFile})`);
      return fromFile;
    },
  };
}
