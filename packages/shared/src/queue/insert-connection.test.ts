import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '../redis/connection.js';
import { openInsertConnection, type InsertConnection } from './insert-connection.js';

const opened: { source: RedisClient; insert: InsertConnection | null }[] = [];

afterEach(async () => {
  for (const { source, insert } of opened.splice(0)) {
    await insert?.close();
    source.disconnect();
  }
});

/** A producer connection to a port nothing listens on, with scripts defined the way BullMQ defines its own. */
function unreachableSource(scriptNames: string[]): RedisClient {
  const source = createRedis('redis://127.0.0.1:1', 'producer');
  for (const name of scriptNames) source.defineCommand(name, { lua: `return '${name}'`, numberOfKeys: 1 });
  return source;
}

describe('openInsertConnection', () => {
  it('copies only the job-insert scripts, and is null when there is no addStandardJob to copy', () => {
    const source = unreachableSource(['addStandardJob:9.9.9', 'addDelayedJob:9.9.9', 'moveToFinished:9.9.9', 'obliterate:9.9.9']);
    const insert = openInsertConnection(source);
    opened.push({ source, insert });
    expect(Object.keys(insert!.connection.scriptsSet).sort()).toEqual(['addDelayedJob:9.9.9', 'addStandardJob:9.9.9']);

    const withoutInserts = unreachableSource(['moveToFinished:9.9.9']);
    const none = openInsertConnection(withoutInserts);
    opened.push({ source: withoutInserts, insert: none });
    expect(none).toBeNull();
  });

  it('stops waiting for a connection that does not open, and a MULTI on it then fails at once instead of waiting', async () => {
    const source = unreachableSource(['addStandardJob:9.9.9']);
    const insert = openInsertConnection(source)!;
    opened.push({ source, insert });
    await insert.untilReady(200);
    expect(insert.connection.status).not.toBe('ready');
    await expect(insert.multi().set('{t}:k', 'v').exec()).rejects.toThrow(/enableOfflineQueue/);
  }, 5_000);
});
