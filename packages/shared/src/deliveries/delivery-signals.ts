import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { endedStatusLua } from './ended-status-lua.js';
import type { WaitingFor } from './types.js';

/*
 * The state of `wait` steps and their signals (API.md §5.5), on the delivery record itself, so every change is one
 * script on one key (one Cluster slot) and two signals cannot both win. Per signal name the record holds:
 *
 * - `signal:<name>:deadline`: when the wait ends (epoch ms), fixed once, by whichever comes first: a step rendering
 *   the signal's link or the wait step starting. A retried step renders the same link, and the link expires exactly
 *   when the wait does.
 * - `signal:<name>:receivedAt`: set by the one signal that won; any later one is refused.
 * - `signal:<name>:body`: a signal's body when it came before the run parked at its wait step (a receiver that answers
 *   the link at once, while the run is still on its way to the wait); the wait step then finishes with it at once.
 *
 * While a delivery is `waiting`, `waitingFor` names the step, the signal and the deadline. A signal for it writes the
 * step's `succeeded` checkpoint (output = the body) and puts the delivery back to `queued`; the caller then promotes
 * its parked job, and the run resumes after its last checkpoint like any retry.
 */

const fieldsLua = `
local function signalField(name, what) return 'signal:' .. name .. ':' .. what end
`;

/**
 * Lua: `resumeWait(key, stepId, body, now)` records the wait step as succeeded with `body` (JSON text, embedded as is:
 * decoding and re-encoding it in Lua would change numbers and empty arrays) and queues the delivery again.
 */
const resumeWaitLua = `
local function resumeWait(key, stepId, body, now)
  local field = 'step:' .. stepId
  local attempts, startedAt = 1, now
  local current = redis.call('HGET', key, field)
  if current then
    local ok, record = pcall(cjson.decode, current)
    if ok and type(record) == 'table' then
      attempts = tonumber(record.attempts) or 1
      if type(record.startedAt) == 'string' then startedAt = record.startedAt end
    end
  end
  local step = '{"id":' .. cjson.encode(stepId) .. ',"type":"wait","status":"succeeded","attempts":' .. string.format('%d', attempts) ..
    ',"startedAt":' .. cjson.encode(startedAt) .. ',"finishedAt":' .. cjson.encode(now) .. ',"output":' .. body .. '}'
  redis.call('HSET', key, field, step, 'status', 'queued')
  redis.call('HDEL', key, 'waitingFor')
end
`;

// KEYS[1] the delivery record. ARGV: signal, deadline (ms) to set if none is. Replies {deadline, early body or nil}, or
// nil when the record is gone.
const deadlineScript = new LuaScript(`${fieldsLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], signalField(ARGV[1], 'deadline'), ARGV[2])
return {redis.call('HGET', KEYS[1], signalField(ARGV[1], 'deadline')), redis.call('HGET', KEYS[1], signalField(ARGV[1], 'body'))}
`);

// KEYS[1] the delivery record. ARGV: waitingFor JSON, signal, step id, the run's token (or ''), now (ISO). Marks a
// delivery whose run stopped at a wait step `waiting`, only while that run holds it and it has not ended. A signal that
// came meanwhile (kept as an early body) finishes the step instead. Replies waiting, signalled, ended, not_held or gone.
const markWaitingScript = new LuaScript(`${endedStatusLua}${fieldsLua}${resumeWaitLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if endedStatus(KEYS[1]) then return 'ended' end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'runToken') ~= ARGV[4] then return 'not_held' end
local body = redis.call('HGET', KEYS[1], signalField(ARGV[2], 'body'))
if body then
  resumeWait(KEYS[1], ARGV[3], body, ARGV[5])
  return 'signalled'
end
redis.call('HSET', KEYS[1], 'status', 'waiting', 'waitingFor', ARGV[1])
return 'waiting'
`);

// KEYS[1] the delivery record. ARGV: signal, body (JSON text), now (ms), now (ISO). The one place a signal is taken:
// refused when one was already received for that name (even after the delivery ended: the link was used), when the
// delivery ended, when no wait on that signal has begun (no deadline) or it is over. Replies {0, reason} or
// {1, queue, 1 when the delivery was waiting for it (its job must be promoted), else 0 (kept as an early body)}.
const receiveScript = new LuaScript(`${endedStatusLua}${fieldsLua}${resumeWaitLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'not_found'} end
if redis.call('HEXISTS', KEYS[1], signalField(ARGV[1], 'receivedAt')) == 1 then return {0, 'already_received'} end
if endedStatus(KEYS[1]) then return {0, 'not_found'} end
local deadline = redis.call('HGET', KEYS[1], signalField(ARGV[1], 'deadline'))
if not deadline or tonumber(ARGV[3]) >= tonumber(deadline) then return {0, 'not_found'} end
redis.call('HSET', KEYS[1], signalField(ARGV[1], 'receivedAt'), ARGV[4])
local fields = redis.call('HMGET', KEYS[1], 'status', 'waitingFor', 'queue')
local queue = fields[3] or 'default'
if fields[1] == 'waiting' and fields[2] then
  local ok, waiting = pcall(cjson.decode, fields[2])
  if ok and type(waiting) == 'table' and waiting.signal == ARGV[1] then
    resumeWait(KEYS[1], waiting.stepId, ARGV[2], ARGV[4])
    return {1, queue, 1}
  end
end
redis.call('HSET', KEYS[1], signalField(ARGV[1], 'body'), ARGV[2])
return {1, queue, 0}
`);

/** A wait's deadline, and the body of a signal that already came for it (JSON text), if one did. */
export interface WaitDeadline {
  expiresAt: Date;
  earlyBodyJson: string | null;
}

/** How marking a stopped run `waiting` went: parked, finished by a signal that came meanwhile, or not the run's to mark. */
export type MarkWaitingOutcome = 'waiting' | 'signalled' | 'ended' | 'not_held' | 'gone';

/** What a signal did: resumed (`wake`: the parked job must be promoted now), or why it was refused. */
export type SignalReceipt = { outcome: 'resumed'; queue: string; wake: boolean } | { outcome: 'not_found' } | { outcome: 'already_received' };

/** The signals of `wait` steps on delivery records (see the comment at the top of this file). */
export class DeliverySignals {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * The deadline of `signal` on the delivery, fixed now (`now + timeoutMs`) if it was not yet; null when the record is
   * gone. Every later call returns the same deadline, whatever its `timeoutMs`.
   */
  async deadline(deliveryId: string, signal: string, timeoutMs: number, now: Date): Promise<WaitDeadline | null> {
    const reply = (await deadlineScript.run(this.redis, [this.keys.delivery(deliveryId)], [signal, now.getTime() + timeoutMs])) as [string, string | null] | null;
    if (!reply) return null;
    return { expiresAt: new Date(Number(reply[0])), earlyBodyJson: reply[1] ?? null };
  }

  /** Marks the delivery `waiting` for `waitingFor` (see `MarkWaitingOutcome`), fenced by the run's lock token. */
  async markWaiting(deliveryId: string, waitingFor: WaitingFor, now: Date, runToken = ''): Promise<MarkWaitingOutcome> {
    return (await markWaitingScript.run(this.redis, [this.keys.delivery(deliveryId)], [JSON.stringify(waitingFor), waitingFor.signal, waitingFor.stepId, runToken, now.toISOString()])) as MarkWaitingOutcome;
  }

  /** Takes a signal with its body (JSON text), once per delivery and signal name (see `SignalReceipt`). */
  async receive(deliveryId: string, signal: string, bodyJson: string, now: Date): Promise<SignalReceipt> {
    const reply = (await receiveScript.run(this.redis, [this.keys.delivery(deliveryId)], [signal, bodyJson, now.getTime(), now.toISOString()])) as [number, string, number?];
    if (reply[0] === 1) return { outcome: 'resumed', queue: reply[1], wake: reply[2] === 1 };
    return { outcome: reply[1] === 'already_received' ? 'already_received' : 'not_found' };
  }

  /** The delivery's status now (null when the record is gone): what a run that just parked looks at once more. */
  async status(deliveryId: string): Promise<string | null> {
    return this.redis.hget(this.keys.delivery(deliveryId), 'status');
  }
}
