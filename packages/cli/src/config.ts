import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' });

const schema = z.object({
  HOOKFLOW_URL: httpUrl.optional(),
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
 * Reads the CLI's settings from `env`. The URL is `--url`, else `HOOKFLOW_URL`, else the one `npm start` serves (it
 * writes `$HOOKFLOW_HOME/url`, by default `./.hookflow/url`), else http://localhost:8080. The admin token comes from
 * `HOOKFLOW_ADMIN_TOKEN`, else from the file that `npm start` writes (`$HOOKFLOW_HOME/admin-token`).
 */
export function loadCliConfig(env: NodeJS.ProcessEnv, urlOverride?: string): CliConfig {
  const parsed = schema.safeParse({ ...env, ...(urlOverride ? { HOOKFLOW_URL: urlOverride } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`${issue.path.join('.') === 'HOOKFLOW_URL' && urlOverride ? '--url' : issue.path.join('.')} ${issue.message}`);
  }
  const { HOOKFLOW_URL, HOOKFLOW_ADMIN_TOKEN, HOOKFLOW_HOME } = parsed.data;
  const home = resolve(HOOKFLOW_HOME || '.hookflow');
  const tokenFile = join(home, 'admin-token');
  return {
    url: (HOOKFLOW_URL ?? urlOfLocalInstance(join(home, 'url')) ?? 'http://localhost:8080').replace(/\/+$/, ''),
    adminToken: () => {
      if (HOOKFLOW_ADMIN_TOKEN?.trim()) return HOOKFLOW_ADMIN_TOKEN.trim();
      let fromFile = '';
      try {
        fromFile = readFileSync(tokenFile, 'utf8').trim();
      } catch {
        // no file: reported below
      }
      if (!fromFile)
        throw new CliError(`no admin token: set HOOKFLOW_ADMIN_TOKEN (or run from the directory where npm start wrote ${tokenFile})`);
      return fromFile;
    },
  };
}

/** The URL `npm start` recorded in `file`, or undefined when no instance was started there. */
function urlOfLocalInstance(file: string): string | undefined {
  let recorded: string;
  try {
    recorded = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!httpUrl.safeParse(recorded).success)
    throw new CliError(`${file} does not hold an absolute http(s) URL: set HOOKFLOW_URL, or delete the file`);
  return recorded;
}
