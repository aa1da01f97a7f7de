import { createHmac } from 'node:crypto';
import type { OutboundHttp } from '../egress/outbound-http.js';
import { httpRequest } from './http-request.js';

export interface NotifyOptions {
  url: string;
  payload: unknown;
  timeoutMs?: number;
}

/**
 * POSTs `payload` signed with the Standard Webhooks scheme: `webhook-id` is stable per delivery and step, so a
 * receiver can drop the duplicate a retry may send; the signature covers `{id}.{timestamp}.{body}`.
 */
export async function sendNotification(options: NotifyOptions, secret: string, messageId: string, signal: AbortSignal, outbound: OutboundHttp, now = () => Date.now()): Promise<{ status: number }> {
  const body = JSON.stringify(options.payload ?? null);
  const timestamp = Math.floor(now() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  const { status } = await httpRequest(
    {
      method: 'POST',
      url: options.url,
      body,
      timeoutMs: options.timeoutMs,
      headers: { 'content-type': 'application/json', 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
    },
    signal,
    outbound,
  );
  return { status };
}
