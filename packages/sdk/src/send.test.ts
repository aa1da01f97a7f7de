import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfter, send, SendError } from './index.js';

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}
type Reply = (res: ServerResponse, req: IncomingMessage) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r).closeAllConnections())));
});

/** A local receiver that answers the n-th request with `replies[n]` (the last one repeats) and records every request. */
async function receiver(replies: Reply[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      replies[Math.min(seen.length, replies.length) - 1]!(res, req);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/wh_test`, seen };
}

const answer =
  (status: number, headers: Record<string, string> = {}, body: unknown = { code: `status_${status}` }): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

/** Records the delays `send` asks for instead of waiting them out. */
function fakeSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const key = 'pk_test_private_key_for_the_sdk';
const payload = { documentId: 'doc_1', text: 'héllo' };
// A whole second, so an HTTP date (second precision) converts to an exact delay.
const fixedNow = Date.UTC(2026, 10, 28, 8, 0, 0);

describe('send', () => {
  it('503 + Retry-After, then 429 + Retry-After date, then 202: three attempts, delays from Retry-After, one idempotency key', async () => {
    const { url, seen } = await receiver([
      answer(503, { 'retry-after': '2' }, { code: 'unavailable' }),
      answer(429, { 'retry-after': new Date(fixedNow + 3000).toUTCString() }, { code: 'rate_limited' }),
      answer(202, {}, { deliveryId: 'dlv_1', status: 'queued' }),
    ]);
    const { delays, sleep } = fakeSleep();
    const randomCalls: number[] = [];
    const retries: unknown[] = [];
    const result = await send(url, payload, {
      key,
      sleep,
      now: () => fixedNow,
      random: () => (randomCalls.push(1), 0.5),
      onRetry: (info) => retries.push(info),
    });

    expect(result).toEqual({
      status: 202,
      ok: true,
      body: { deliveryId: 'dlv_1', status: 'queued' },
      attempts: 3,
      idempotencyKey: expect.any(String),
    });
    expect(delays).toEqual([2000, 3000]);
    expect(randomCalls).toHaveLength(0); // Retry-After wins over the jittered backoff
    expect(retries).toEqual([
      { attempt: 1, delayMs: 2000, reason: 503 },
      { attempt: 2, delayMs: 3000, reason: 429 },
    ]);
    expect(seen).toHaveLength(3);
    expect(result.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(seen.map((s) => s.headers['idempotency-key']))).toEqual(new Set([result.idempotencyKey]));
    for (const { headers, body } of seen) {
      expect(body).toBe(JSON.stringify(payload));
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-signature']).toBe(createHmac('sha256', key).update(body).digest('hex'));
    }
  });

  it('without Retry-After backs off exponentially with full jitter, capped at maxMs, keeping a given idempotency key', async () => {
    const { url, seen } = await receiver([answer(503), answer(408), answer(500), answer(202, {}, { deliveryId: 'dlv_2' })]);
    const { delays, sleep } = fakeSleep();
    const result = await send(url, payload, {
      key,
      idempotencyKey: 'order-42',
      retries: { attempts: 5, baseMs: 100, maxMs: 300 },
      sleep,
      random: () => 0.5,
    });
    expect(result).toMatchObject({ status: 202, attempts: 4, idempotencyKey: 'order-42' });
    // ceilings 100, 200, min(300, 400) = 300; full jitter takes random() of each
    expect(delays).toEqual([50, 100, 150]);
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(['order-42', 'order-42', 'order-42', 'order-42']);
  });

  it.each([400, 401, 403, 404, 413, 422])('never retries a %i', async (status) => {
    const { url, seen } = await receiver([answer(status), answer(202)]);
    const { delays, sleep } = fakeSleep();
    const result = await send(url, payload, { key, sleep });
    expect(result).toMatchObject({ status, ok: false, attempts: 1, body: { code: `status_${status}` } });
    expect(delays).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('returns the last answer once the attempts are used up', async () => {
    const { url, seen } = await receiver([answer(503)]);
    const { delays, sleep } = fakeSleep();
    const result = await send(url, payload, { key, sleep, retries: { attempts: 3 }, random: () => 0 });
    expect(result).toMatchObject({ status: 503, ok: false, attempts: 3 });
    expect(delays).toEqual([0, 0]);
    expect(seen).toHaveLength(3);
  });

  it('retries a dropped connection and a timed-out try with the same key', async () => {
    const { url, seen } = await receiver([
      (_res, req) => req.socket.destroy(),
      () => {
        // never answers: the per-try timeout gives up on it
      },
      answer(202, {}, { deliveryId: 'dlv_3' }),
    ]);
    const { delays, sleep } = fakeSleep();
    const result = await send(url, payload, { key, sleep, timeoutMs: 300, random: () => 1 });
    expect(result).toMatchObject({ status: 202, attempts: 3, body: { deliveryId: 'dlv_3' } });
    expect(delays).toEqual([500, 1000]);
    expect(new Set(seen.map((s) => s.headers['idempotency-key'])).size).toBe(1);
  });

  it('rejects with SendError when nothing ever answers', async () => {
    const { url } = await receiver([answer(202)]);
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    const { delays, sleep } = fakeSleep();
    const failure = send(url, payload, { key, sleep, retries: { attempts: 2 }, idempotencyKey: 'k-1' });
    await expect(failure).rejects.toBeInstanceOf(SendError);
    await expect(failure).rejects.toMatchObject({ attempts: 2, idempotencyKey: 'k-1' });
    expect(delays).toHaveLength(1);
  });

  it('sends other schemes with their headers plus the idempotency key', async () => {
    const { url, seen } = await receiver([answer(202)]);
    await send(url, payload, { key: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=', scheme: 'standard-webhooks', idempotencyKey: 'msg_abc' });
    expect(seen[0]!.headers).toMatchObject({
      'user-agent': 'hookflow-sdk',
      'webhook-id': 'msg_abc',
      'idempotency-key': 'msg_abc',
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
  });
});

describe('send options', () => {
  it('refuses a malformed URL or retry policy before sending anything', async () => {
    const fetchCalls: unknown[] = [];
    const fetch = (async (...args: unknown[]) => (fetchCalls.push(args), new Response(null, { status: 202 }))) as typeof globalThis.fetch;
    await expect(send('not a url', payload, { key, fetch })).rejects.toThrow(TypeError);
    await expect(send('http://127.0.0.1:9/x', payload, { key, fetch, retries: { attempts: 0 } })).rejects.toThrow(/retries.attempts/);
    await expect(send('http://127.0.0.1:9/x', payload, { key, fetch, retries: { attempts: Number.NaN } })).rejects.toThrow(RangeError);
    await expect(send('http://127.0.0.1:9/x', payload, { key, fetch, retries: { baseMs: -1 } })).rejects.toThrow(/retries.baseMs/);
    await expect(send('http://127.0.0.1:9/x', payload, { key, fetch, timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(send('http://127.0.0.1:9/x', payload, { key: 'k', fetch, scheme: 'md5' })).rejects.toThrow(/unknown signature scheme/);
    expect(fetchCalls).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('0', fixedNow)).toBe(0);
    expect(parseRetryAfter(' 7 ', fixedNow)).toBe(7000);
    expect(parseRetryAfter(new Date(fixedNow + 5000).toUTCString(), fixedNow)).toBe(5000);
    expect(parseRetryAfter(new Date(fixedNow - 5000).toUTCString(), fixedNow)).toBe(0);
    expect(parseRetryAfter('soon', fixedNow)).toBeUndefined();
    expect(parseRetryAfter(null, fixedNow)).toBeUndefined();
  });
});
