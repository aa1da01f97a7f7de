import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from './processes.js';

export interface NpmProcess {
  child: ChildProcess;
  /** Everything npm and its scripts wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code, or the signal's name when npm was killed by one. */
  exited: Promise<number | string>;
  /** Process ids of everything below npm right now (its shell, node, the apps, a private Redis…). */
  descendants: () => number[];
  /** SIGKILLs npm and whatever still runs below it: the clean-up after a failed test. */
  kill: () => void;
}

/**
 * Runs `npm <args>` in the repository as a user would. Its own process group, so a clean-up can reach children that
 * outlived npm; a test signals `child.pid` alone, as a supervisor would.
 */
export function spawnNpm(args: string[], env: NodeJS.ProcessEnv): NpmProcess {
  const child = spawn('npm', args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? signal ?? -1)));
  const seen = new Set<number>();
  return {
    child,
    output: () => output,
    exited,
    descendants: () => {
      const found = descendantsOf(child.pid!);
      for (const pid of found) seen.add(pid);
      return found;
    },
    kill: () => {
      for (const pid of [child.pid!, ...seen, ...descendantsOf(child.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** `Z` for a zombie: exited, not yet reaped. */
  state: string;
}

/** A process's state and parent from /proc (Linux), or null once it is gone. */
function readStat(pid: number): ProcStat | null {
  try {
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), state: state! };
  } catch {
    return null;
  }
}

export function descendantsOf(root: number): number[] {
  const table = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((proc): proc is ProcStat => proc !== null && proc.state !== 'Z');
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const proc of table) {
      if (proc.ppid === parent) {
        found.push(proc.pid);
        queue.push(proc.pid);
      }
    }
  }
  return found;
}

/** True while `pid` runs (an exited process nobody reaped yet, a zombie, does not count). */
export function isRunning(pid: number): boolean {
  const proc = readStat(pid);
  return proc !== null && proc.state !== 'Z';
}

/** True when something accepts connections at `url` (any HTTP answer). */
export async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    () => true,
    () => false,
  );
}
