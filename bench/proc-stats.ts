import { readFileSync } from 'node:fs';

/**
 * Resident set size in bytes of the Node process serving for `pid`. Entries are spawned through the tsx launcher,
 * which runs the program in a child process, so the deepest descendant is measured, not the launcher. Null where
 * /proc is not available.
 */
export function serverRssBytes(pid: number): number | null {
  try {
    let current = pid;
    for (;;) {
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children.length === 0) break;
      current = Number(children[0]);
    }
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${current}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
