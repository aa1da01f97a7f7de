import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads every write command Redis applied, from its append-only file (Redis 7 multi-part AOF: the `incr` files
 * listed in `appendonlydir/*.manifest`, in order). The AOF is the authoritative log of applied writes, across
 * restarts, so counting commands in it counts what workers really did. Read it after Redis has flushed (after a
 * graceful shutdown, or with `appendfsync always`). A truncated tail (a crash mid-write) is ignored.
 */
export function readAofCommands(dataDir: string): string[][] {
  const dir = join(dataDir, 'appendonlydir');
  const manifest = readdirManifest(dir);
  const commands: string[][] = [];
  // Appended one by one: spreading a long AOF's commands into push() would overflow the call stack.
  for (const file of manifest) for (const command of parseResp(readFileSync(join(dir, file)))) commands.push(command);
  return commands;
}

function readdirManifest(dir: string): string[] {
  const manifestPath = join(dir, 'appendonly.aof.manifest');
  if (!existsSync(manifestPath)) throw new Error(`no AOF manifest in ${dir}`);
  return readFileSync(manifestPath, 'utf8')
    .split('\n')
    .map((line) => /^file (\S+) seq (\d+) type i/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((m) => m[1]!);
}

function parseResp(buf: Buffer): string[][] {
  const commands: string[][] = [];
  let pos = 0;
  const line = (): string | null => {
    const end = buf.indexOf('\r\n', pos);
    if (end < 0) return null;
    const text = buf.toString('latin1', pos, end);
    pos = end + 2;
    return text;
  };
  while (pos < buf.length) {
    const header = line();
    if (header === null || header[0] !== '*') break;
    const argc = Number(header.slice(1));
    const args: string[] = [];
    for (let i = 0; i < argc; i++) {
      const len = line();
      if (len === null || len[0] !== '$') return commands;
      const n = Number(len.slice(1));
      if (pos + n + 2 > buf.length) return commands;
      args.push(buf.toString('utf8', pos, pos + n));
      pos += n + 2;
    }
    commands.push(args);
  }
  return commands;
}

/**
 * Per delivery id: how many times its record was set to `status` (e.g. `running` = runs started, `succeeded`).
 * With `distinct`, identical commands count once: ioredis re-sends a command whose answer a Redis crash swallowed
 * (`autoResendUnfulfilledCommands`), which replays one write, not a second execution — a second execution writes
 * another `finishedAt`.
 */
export function countStatusWrites(commands: string[][], prefix: string, status: string, { distinct = false } = {}): Map<string, number> {
  const keyPrefix = `{${prefix}}:delivery:`;
  const seen = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const args of commands) {
    if (args[0]?.toUpperCase() !== 'HSET' || !args[1]?.startsWith(keyPrefix)) continue;
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (args[i] === 'status' && args[i + 1] === status) {
        const id = args[1].slice(keyPrefix.length);
        const writes = seen.get(id) ?? new Set<string>();
        seen.set(id, writes);
        const signature = JSON.stringify(args);
        if (distinct && writes.has(signature)) continue;
        writes.add(signature);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  }
  return counts;
}
