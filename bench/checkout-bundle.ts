import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../test/support/processes.js';
import { serverPid } from './proc-stats.js';

/**
 * Starts one app of a checkout from its bundle, as `npm run start:<app>` runs it (run `npm run build` in that checkout
 * first), on a free port given in `portVariable`, and resolves once its `/healthz` answers (or stops it and rejects). For the A/B tools, which
 * run two checkouts side by side.
 */
export async function startCheckoutBundle(
  dir: string,
  app: 'ingress' | 'worker',
  portVariable: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number; pid: number | null }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(dir, `apps/${app}/dist/main.js`)], {
    cwd: dir,
    env: { ...process.env, ...env, [portVariable]: String(port) },
    stdio: 'ignore',
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000);
  } catch (err) {
    child.kill('SIGTERM'); // not left running behind a tool that gives up
    throw err;
  }
  return { child, port, pid: serverPid(child.pid) };
}
