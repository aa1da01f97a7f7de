import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where a one-machine installation keeps its generated secrets and private Redis data: `HOOKFLOW_HOME` or `./.hookflow`. */
export function localHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.HOOKFLOW_HOME || '.hookflow');
}

const generated = {
  HOOKFLOW_ADMIN_TOKEN: { file: 'admin-token', make: () => `hf_admin_${randomBytes(24).toString('base64url')}` },
  HOOKFLOW_MASTER_KEY: { file: 'master-key', make: () => randomBytes(32).toString('base64') },
} as const;

/**
 * Outside production, fills in the admin token and master key from `.hookflow/` (generating them on first use, file
 * mode 0600), so `npm start` works with no configuration. In production nothing is filled in: config validation then
 * refuses to start without them.
 */
export function withLocalSecrets(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.NODE_ENV === 'production') return env;
  const home = localHome(env);
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const [name, { file, make }] of Object.entries(generated)) {
    if (filled[name]) continue;
    const path = join(home, file);
    if (!existsSync(path)) {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      try {
        writeFileSync(path, `${make()}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process created it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    filled[name] = readFileSync(path, 'utf8').trim();
  }
  return filled;
}
