import { descendantsOf, isRunning } from './npm-process.js';
import type { RunningProcess } from './processes.js';

/**
 * SIGKILLs a spawned entry point together with the node process tsx started for it. Killing only the tsx parent
 * would leave the real worker running as an orphan (a SIGKILL cannot be relayed), and the test would kill nothing.
 */
export async function sigkillTree(proc: RunningProcess): Promise<void> {
  const root = proc.child.pid;
  if (root === undefined) return;
  const pids = [...descendantsOf(root).reverse(), root];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await proc.exited;
  for (let i = 0; i < 100 && pids.some(isRunning); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}
