import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { RunningProcess } from '../../support/processes.js';

/** Every descendant pid of `pid` (Linux /proc): tsx runs the entry point in a child node process. */
function descendants(pid: number): number[] {
  const children: number[] = [];
  const taskDir = `/proc/${pid}/task`;
  if (!existsSync(taskDir)) return children;
  for (const task of readdirSync(taskDir)) {
    try {
      const list = readFileSync(`${taskDir}/${task}/children`, 'utf8').trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    } catch {
      // the task ended meanwhile
    }
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * SIGKILLs a spawned entry point together with the node process tsx started for it. Killing only the tsx parent
 * would leave the real worker running as an orphan (a SIGKILL cannot be relayed), and the test would kill nothing.
 */
export async function sigkillTree(proc: RunningProcess): Promise<void> {
  const root = proc.child.pid;
  if (root === undefined) return;
  const pids = [...descendants(root).reverse(), root];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await proc.exited;
  for (let i = 0; i < 100 && pids.some((pid) => existsSync(`/proc/${pid}/stat`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}
