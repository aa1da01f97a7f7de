import type { RedisClient } from '../redis/connection.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of a sorted-set index. The cursor is opaque to clients: the base64url of the last member's score and id,
 * so pages stay correct while new members are added.
 */
export async function pageOf<T>(
  redis: RedisClient,
  indexKey: string,
  limit: number,
  cursor: string | null,
  order: 'asc' | 'desc',
  load: (id: string) => Promise<T | null>,
): Promise<Page<T>> {
  const after = cursor ? decodeCursor(cursor) : null;
  // Fetch a few extra to step over members equal to the cursor's score that were already shown.
  const ids: string[] = [];
  let offset = 0;
  const batch = limit + 1;
  for (;;) {
    const raw =
      order === 'asc'
        ? await redis.zrangebyscore(indexKey, after ? after.score : '-inf', '+inf', 'WITHSCORES', 'LIMIT', offset, batch)
        : await redis.zrevrangebyscore(indexKey, after ? after.score : '+inf', '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
    for (let i = 0; i < raw.length; i += 2) {
      const id = raw[i]!;
      const score = Number(raw[i + 1]);
      if (after && score === after.score && !isPast(id, after.id, order)) continue;
      ids.push(id);
    }
    if (raw.length < batch * 2 || ids.length > limit) break;
    offset += batch;
  }
  const pageIds = ids.slice(0, limit);
  const items = (await Promise.all(pageIds.map(load))).filter((item): item is Awaited<T> => item !== null) as T[];
  const last = pageIds[pageIds.length - 1];
  const nextCursor = ids.length > limit && last !== undefined ? encodeCursor(await scoreOf(redis, indexKey, last), last) : null;
  return { items, nextCursor };
}

function isPast(id: string, cursorId: string, order: 'asc' | 'desc'): boolean {
  return order === 'asc' ? id > cursorId : id < cursorId;
}

async function scoreOf(redis: RedisClient, key: string, id: string): Promise<number> {
  return Number(await redis.zscore(key, id));
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

/** Returns null for a cursor that was not made here; callers turn that into 400. */
export function decodeCursor(cursor: string): { score: number; id: string } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') return { score: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  return null;
}
