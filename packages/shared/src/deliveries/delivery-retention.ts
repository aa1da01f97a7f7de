import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { deliveryField, type DeliveryHash } from './delivery-fields.js';
import { endedStatusLua } from './ended-status-lua.js';
import { releaseKeySlotLua } from './key-slots.js';

/** How much delivery history each webhook keeps. */
export interface RetentionPolicy {
  /** Most deliveries kept per webhook; the oldest finished ones go first. Default 10 000. */
  maxCount: number;
  /** Seconds a finished delivery is kept after it finished (a Redis TTL on its record). Default 7 days. */
  maxAgeSeconds: number;
}

export const retentionDefaults: RetentionPolicy = { maxCount: 10_000, maxAgeSeconds: 7 * 86_400 };

/** How much of a webhook's index one call of retention may work through. */
export interface RetentionScan {
  /**
   * Most old deliveries removed per call. A finish adds at most one finished delivery, so any excess (after a
   * backlog, or a lowered maxCount) is still worked off, this many per finish. Default 10.
   */
  removeAtMost: number;
  /**
   * Extra old entries looked at per call to step over unfinished ones. Default 32. When the oldest removeAtMost +
   * slack entries hold nothing finished, one more window of that size is looked at, further along.
   */
  slack: number;
}

export const retentionScanDefaults: RetentionScan = { removeAtMost: 10, slack: 32 };

/** What `settle` found: the delivery's status and workflow after a run (null when the record is gone) and how many old deliveries it removed. */
export interface Settled {
  status: string | null;
  workflow: string | null;
  removed: number;
}

// KEYS[1] the delivery record. ARGV: record key prefix, index key prefix and suffix, max count, TTL seconds, scan slack,
// most removed per call, a random fraction in [0, 1), `open` to write only to a delivery that has not ended,
// `run:<token>` to write only while the run with that token holds it (DeliveryStore.start), else `any`, the workflow pin-count key's prefix and suffix (an ended delivery no longer holds the definition version it
// was pinned to; see DeliveryStore.pinWorkflow), then field/value pairs to write first (a run's outcome), so
// recording the outcome and retention share one round trip. A cancelled or superseded delivery keeps its status
// whatever the mode. In mode `any` a finished one is overwritten, as a second run to the end writes its own outcome
// (which is how the fault suite counts doubles). The index and the old records it names are derived in the script:
// they share KEYS[1]'s hash tag, so the script stays in one Cluster slot. Only ended deliveries (finished or
// cancelled, or dangling index entries whose record expired) are removed: held, queued and running ones are acknowledged work,
// bounded by the ingest backlog instead.
// The work per call is bounded: a window of "most removed" + slack entries from the oldest end, and only when that
// window held nothing finished (deliveries held for days at the old end, say), one more window of the same size at a
// random place among the rest of the entries over the count, so such a prefix slows the count bound instead of
// stopping it. Reading up to the whole excess on every finish would make each call cost in proportion to a backlog
// that holds the index far over the count, and Redis runs every call of every worker one at a time.
const settleScript = new LuaScript(`${endedStatusLua}${releaseKeySlotLua}
if #ARGV > 11 then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {false, false, 0} end
  local ended = endedStatus(KEYS[1])
  local kept = ended == 'cancelled' or ended == 'superseded' or (ended and ARGV[9] == 'open')
  local fence = string.match(ARGV[9], '^run:(.+)$')
  if fence and redis.call('HGET', KEYS[1], '${deliveryField.runToken}') ~= fence then kept = true end
  if not kept then redis.call('HSET', KEYS[1], unpack(ARGV, 12)) end
end
local fields = redis.call('HMGET', KEYS[1], '${deliveryField.status}', '${deliveryField.workflow}', '${deliveryField.webhookId}')
local status, workflow, webhookId = endedStatus(KEYS[1]) or fields[1], fields[2], fields[3]
if not status then return {false, false, 0} end
if not endedStatus(KEYS[1]) then return {status, workflow, 0} end
releaseKeySlot(KEYS[1])
local held = redis.call('HGET', KEYS[1], '${deliveryField.workflowPinHeld}')
if held then
  redis.call('HDEL', KEYS[1], '${deliveryField.workflowPinHeld}')
  redis.call('HINCRBY', ARGV[10] .. workflow .. ARGV[11], held, -1)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
local index = ARGV[2] .. webhookId .. ARGV[3]
local excess = redis.call('ZCARD', index) - tonumber(ARGV[4])
local removed = 0
local function sweep(from, to, quota)
  for _, id in ipairs(redis.call('ZRANGE', index, from, to)) do
    if removed >= quota then return end
    local key = ARGV[1] .. id
    if redis.call('EXISTS', key) == 0 or endedStatus(key) then
      redis.call('UNLINK', key)
      redis.call('ZREM', index, id)
      removed = removed + 1
    end
  end
end
if excess > 0 then
  local quota = math.min(excess, tonumber(ARGV[7]))
  local window = quota + tonumber(ARGV[6])
  sweep(0, window - 1, quota)
  if removed == 0 and excess > window then
    local from = window + math.floor(tonumber(ARGV[8]) * (excess - window))
    sweep(from, math.min(from + window, excess) - 1, quota)
  end
end
return {status, workflow, removed}
`);

/** What comes before and after the name in a per-name key, so a script can build the key from a name it reads. */
export function affixesOf(keyOf: (name: string) => string): [string, string] {
  const marker = '\u0000';
  return keyOf(marker).split(marker) as [string, string];
}

/**
 * Keeps Redis memory bounded: when a delivery finishes, its record gets a TTL (age bound) and its webhook's index is
 * trimmed to `maxCount`, oldest finished first (count bound). Runs in the worker, once per finished job, in one
 * round trip that also tells the caller the delivery's outcome (for metrics).
 */
export class DeliveryRetention {
  readonly #indexAffixes: [string, string];
  readonly #pinAffixes: [string, string];
  readonly #scan: RetentionScan;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly policy: RetentionPolicy = retentionDefaults,
    scan: Partial<RetentionScan> = {},
  ) {
    this.#scan = { ...retentionScanDefaults, ...scan };
    this.#indexAffixes = affixesOf(keys.webhookDeliveries);
    this.#pinAffixes = affixesOf(keys.workflowPinCounts);
  }

  /** Applies retention to the delivery if it finished, and reports its status and workflow. */
  settle(deliveryId: string): Promise<Settled> {
    return this.finish(deliveryId, {});
  }

  /**
   * Writes `fields` (a run's outcome) to the delivery record, unless the record is gone or the delivery was cancelled
   * or superseded (with `onlyIfOpen`: unless it ended in any way), then settles it as `settle` does: one round trip
   * for the outcome, the retention and the report. With `runToken`, only while that run holds the delivery.
   */
  async finish(
    deliveryId: string,
    fields: DeliveryHash,
    { onlyIfOpen = false, runToken }: { onlyIfOpen?: boolean; runToken?: string } = {},
  ): Promise<Settled> {
    const mode = onlyIfOpen ? 'open' : runToken ? `run:${runToken}` : 'any';
    const reply = (await settleScript.run(
      this.redis,
      [this.keys.delivery(deliveryId)],
      [
        this.keys.delivery(''),
        this.#indexAffixes[0],
        this.#indexAffixes[1],
        this.policy.maxCount,
        this.policy.maxAgeSeconds,
        this.#scan.slack,
        this.#scan.removeAtMost,
        Math.random(),
        mode,
        ...this.#pinAffixes,
        ...Object.entries(fields).flat(),
      ],
    )) as [string | null, string | null, number];
    return { status: reply[0] ?? null, workflow: reply[1] ?? null, removed: Number(reply[2] ?? 0) };
  }
}
