import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signUptiq } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

// Slow and numerous clients against the real ingress, with a short request deadline so the test stays short.
const requestTimeoutMs = 3_000;
const maxConnections = 8;
const ctx = useStack('slow-clients', {
  worker: false,
  env: { HOOKFLOW_REQUEST_TIMEOUT_MS: String(requestTimeoutMs), HOOKFLOW_MAX_CONNECTIONS: String(maxConnections) },
});

/** Far longer than the deadline plus the server's sweep: a connection still open by then was not cut off. */
const cutOffWithinMs = requestTimeoutMs + 15_000;

interface Ended {
  /** What the server wrote before the connection ended. */
  received: string;
  elapsedMs: number;
}

function open(): Promise<Socket> {
  const url = new URL(ctx.stack.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one every `everyMs` until the server ends the connection (or `cutOffWithinMs` passes). */
function trickle(socket: Socket, chunks: string[], everyMs: number): Promise<Ended | 'still-open'> {
  const started = Date.now();
  let received = '';
  socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
  socket.on('error', () => {}); // a reset is one way of being cut off
  return new Promise((resolve) => {
    let next = 0;
    const timer = setInterval(() => {
      if (next < chunks.length && !socket.destroyed) socket.write(chunks[next++]!);
    }, everyMs);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve('still-open');
    }, cutOffWithinMs);
    socket.once('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, elapsedMs: Date.now() - started });
    });
  });
}

describe('slow clients', () => {
  it('cuts off a body sent one byte at a time soon after HOOKFLOW_REQUEST_TIMEOUT_MS, answering 408', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const body = JSON.stringify({ padding: 'x'.repeat(500) });
    const head = [
      `POST /hooks/${webhookId} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      `x-signature: ${signUptiq(body, keyFile.privateKey)}`,
      '',
      '',
    ].join('\r\n');
    const socket = await open();
    socket.write(head);
    // 500+ bytes at one per 100 ms would take the sender about a minute.
    const ended = await trickle(socket, body.split(''), 100);
    expect(ended).not.toBe('still-open');
    expect((ended as Ended).received).toMatch(/^HTTP\/1\.1 408 /);
    expect(await ctx.redis.zcard(`{${ctx.prefix}}:webhook:${webhookId}:deliveries`)).toBe(0);
  }, 60_000);

  it('cuts off headers sent one byte at a time, and a connection that sends nothing', async () => {
    const headers = 'POST /hooks/wh_00000000000000000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'y'.repeat(2000) + '\r\n\r\n';
    const [slowHeaders, silent] = await Promise.all([open(), open()]);
    const [a, b] = await Promise.all([trickle(slowHeaders, headers.split(''), 50), trickle(silent, [], 1_000)]);
    expect(a).not.toBe('still-open');
    expect(b).not.toBe('still-open');
  }, 60_000);

  it('closes connections past HOOKFLOW_MAX_CONNECTIONS at once and serves again when they are gone', async () => {
    const held = await Promise.all(Array.from({ length: maxConnections }, () => open()));
    try {
      // Each answers while inside the cap (one request on each keeps it busy and proves it was accepted).
      const extra = await open().catch(() => null);
      const refused = extra ? await trickle(extra, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], 10) : { received: '', elapsedMs: 0 };
      expect(refused).not.toBe('still-open');
      expect((refused as Ended).received).toBe('');
    } finally {
      for (const socket of held) socket.destroy();
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = await fetch(`${ctx.stack.baseUrl}/healthz`).then(
        (res) => res.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  }, 60_000);
});
