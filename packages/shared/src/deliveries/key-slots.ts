import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { deliveryField, type DeliveryHash } from './delivery-fields.js';
import { endedStatusLua } from './ended-status-lua.js';
import type { NewDelivery } from './types.js';

/*
 * Flow control per key (API.md §5.4) as state on Redis, moved by Lua at the three points of a delivery's life:
 *
 * - enqueue (the ingress's MULTI, with the record and the job): the delivery's id is appended to its key's *line*, a
 *   list in arrival order. A debounce key's state names the latest delivery; a newer one supersedes it there.
 * - start (the worker's start script, `takeKeySlotLua`): a delivery runs only while it is among the first `limit`
 *   entries of its line; otherwise it is *parked* (its job delayed, holding no worker) and says whom it waits behind.
 * - end (the settle and cancel scripts, `releaseKeySlotLua`): an ended delivery leaves its line, and the parked
 *   deliveries now inside the first `limit` are named on `keySlotFreed`, where workers wake their jobs.
 *
 * A delivery holds its slot from its arrival to its end, not only while running: a retry (the job waiting out its
 * backoff) or a job returned by stall recovery after its worker died is still in the line at the same place, so no
 * later delivery of the key starts meanwhile, and the returned job is the holder again. Every key lives under the
 * delivery's hash tag, and the scripts derive them from the record key they are given (as the settle script derives
 * the webhook index), so each script touches one Cluster slot. See docs/flow-control.md.
 */

/** Lua: `flowTag(recordKey)`, the `{prefix}` part every key of the installation starts with. */
const flowTagLua = `
local function flowTag(recordKey) return string.match(recordKey, '^(.-):delivery:') end
local function wakeParked(tag, line, limit)
  for _, entry in ipairs(redis.call('LRANGE', line, 0, limit - 1)) do
    if redis.call('SISMEMBER', tag .. ':flow:parked', entry) == 1 then
      local queue = redis.call('HGET', tag .. ':delivery:' .. entry, '${deliveryField.queue}') or 'default'
      redis.call('PUBLISH', tag .. ':events:key-slot-freed', queue .. '\\n' .. entry)
    end
  end
end
`;

/**
 * Lua (after `endedStatusLua`): `releaseKeySlot(recordKey)` takes an ended delivery out of its key's line and wakes the
 * parked deliveries that now hold a slot. Repeating it is harmless (the entry is gone the second time).
 */
export const releaseKeySlotLua = `${flowTagLua}
local function releaseKeySlot(recordKey)
  local fields = redis.call('HMGET', recordKey, '${deliveryField.concurrencyLine}', '${deliveryField.id}', '${deliveryField.concurrencyLimit}')
  local line, id = fields[1], fields[2]
  if not line then return end
  local tag = flowTag(recordKey)
  redis.call('SREM', tag .. ':flow:parked', id)
  redis.call('HDEL', recordKey, '${deliveryField.waitingBehind}')
  if redis.call('LREM', line, 1, id) == 0 then return end
  wakeParked(tag, line, tonumber(fields[3] or '1'))
end
`;

/**
 * Lua (after `releaseKeySlotLua`): `takeKeySlot(recordKey)` returns nil when the delivery may run (no key, or among the
 * first `limit` of its line), else the id of the delivery it waits behind, having marked it parked. Entries at the
 * head whose delivery ended or is gone (a release that never ran) are dropped first. A delivery not in its line at all
 * (a manual retry of a failed one) joins at the end.
 */
export const takeKeySlotLua = `
local function takeKeySlot(recordKey)
  local fields = redis.call('HMGET', recordKey, '${deliveryField.concurrencyLine}', '${deliveryField.id}', '${deliveryField.concurrencyLimit}')
  local line, id = fields[1], fields[2]
  if not line then return nil end
  local limit = tonumber(fields[3] or '1')
  local tag = flowTag(recordKey)
  for _ = 1, 1000 do
    local head = redis.call('LRANGE', line, 0, limit - 1)
    local dead = nil
    for _, entry in ipairs(head) do
      if entry == id then
        redis.call('SREM', tag .. ':flow:parked', id)
        redis.call('HDEL', recordKey, '${deliveryField.waitingBehind}')
        return nil
      end
      local key = tag .. ':delivery:' .. entry
      if redis.call('EXISTS', key) == 0 or endedStatus(key) then dead = entry break end
    end
    if dead then
      redis.call('LREM', line, 1, dead)
      wakeParked(tag, line, limit)
    elseif #head < limit then
      redis.call('RPUSH', line, id)
    else
      if not redis.call('LPOS', line, id) then redis.call('RPUSH', line, id) end
      redis.call('SADD', tag .. ':flow:parked', id)
      redis.call('HSET', recordKey, '${deliveryField.waitingBehind}', head[1])
      return head[1]
    end
  end
  return nil
end
`;

/** Redis-safe scope of a key value: the agent and workflow it belongs to and a digest of the value. */
export function keyScope(agentId: string, workflow: string, value: string): string {
  return `${agentId}:${workflow}:${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
}

// KEYS[1] the debounce state, KEYS[2] the new delivery's record. ARGV: new id, now (ms), periodMs, maxWaitMs or '',
// now (ISO), TTL seconds of an ended record. The delivery the state names is superseded by the new one while it has
// not started, unless that would postpone the run past `maxWaitMs` after its burst began: then it runs, and the new
// one begins the next burst.
const debounceLua = `${releaseKeySlotLua}
local latest = redis.call('HGET', KEYS[1], 'latest')
local firstAt = tonumber(redis.call('HGET', KEYS[1], 'firstAt') or ARGV[2])
local now, period = tonumber(ARGV[2]), tonumber(ARGV[3])
local replaced = false
if latest then
  local key = flowTag(KEYS[2]) .. ':delivery:' .. latest
  if redis.call('HGET', key, '${deliveryField.status}') == 'queued' and not endedStatus(key) and (ARGV[4] == '' or now + period <= firstAt + tonumber(ARGV[4])) then
    redis.call('HSET', key, '${deliveryField.status}', 'superseded', '${deliveryField.supersededBy}', ARGV[1], '${deliveryField.finishedAt}', ARGV[5])
    releaseKeySlot(key)
    redis.call('EXPIRE', key, tonumber(ARGV[6]))
    replaced = true
  end
end
if not replaced then firstAt = now end
redis.call('HSET', KEYS[1], 'latest', ARGV[1], 'firstAt', firstAt)
redis.call('PEXPIRE', KEYS[1], period + tonumber(ARGV[4] ~= '' and ARGV[4] or period) + 60000)
return replaced and 1 or 0
`;

/**
 * Adds a new delivery's flow-control state to the ingress's MULTI, after its record: its place at the end of its key's
 * line, and the debounce step. Held deliveries join their line when they first start (they have no job until released).
 */
export function appendKeyState(tx: ChainableCommander, keys: Keys, delivery: NewDelivery, endedTtlSeconds: number): void {
  if (delivery.concurrency && delivery.status === 'queued') tx.rpush(delivery.concurrency.line, delivery.id);
  const debounce = delivery.debounce;
  if (!debounce) return;
  tx.eval(
    `${endedStatusLua}${debounceLua}`,
    2,
    debounce.state,
    keys.delivery(delivery.id),
    delivery.id,
    Date.parse(delivery.receivedAt),
    debounce.periodMs,
    debounce.maxWaitMs ?? '',
    delivery.receivedAt,
    endedTtlSeconds,
  );
}

/** The record fields of a new delivery's flow control. */
export function keyFields(delivery: NewDelivery): DeliveryHash {
  const fields: DeliveryHash = {};
  if (delivery.concurrency)
    Object.assign(fields, {
      concurrencyKey: delivery.concurrency.key,
      concurrencyLine: delivery.concurrency.line,
      concurrencyLimit: String(delivery.concurrency.limit),
    } satisfies DeliveryHash);
  if (delivery.debounce) fields.debounceKey = delivery.debounce.key;
  return fields;
}
