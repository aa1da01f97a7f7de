import { readFileSync } from 'node:fs';
import type { RedisClient } from '@hookflow/shared';

/**
 * The pid of the Node process serving for `pid`. An entry spawned through a launcher may run the
 * program in a child process, so the deepest descendant is the one measured, not the launcher. Null where /proc
 * is not available (then RSS and CPU are reported as n/a).
 */
export function serverPid(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    let current = pid;
    for (;;) {
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children.length === 0) return current;
      current = Number(children[0]);
    }
  } catch {
    return null;
  }
}

/** Resident set size in bytes. */
export function rssBytes(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) the process has used, in ms. CPU per request is the figure that survives a shared,
 * overloaded machine: req/s falls when neighbours take the cores, CPU spent per request does not.
 */
export function cpuTimeMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100 Hz on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * The pid of the redis-server behind `redis` when it runs on this machine (its CPU is part of what each request
 * costs the machine); null when it is elsewhere or /proc cannot tell.
 */
export async function localRedisPid(redis: RedisClient): Promise<number | null> {
  const info = await redis.info('server').catch(() => '');
  const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').includes('redis') ? pid : null;
  } catch {
    return null;
  }
}

/** CPU time this process (the bench, with autocannon in it) has used, in ms. */
export function ownCpuTimeMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU µs per item between two readings; null when either is unknown or there were no items. */
export function cpuUsPer(before: number | null, after: number | null, items: number): number | null {
  return before === null || after === null || items === 0 ? null : Math.round(((after - before) * 1000) / items);
}
