import type { NotifyOptions } from '@hookflow/shared';
import { signStandardWebhooks } from '@hookflow/protocol/signing';
import type { OutboundHttp } from '../egress/outbound-http.js';
import { httpRequest } from './http-request.js';

/**
 * POSTs `payload` signed with the Standard Webhooks scheme: `webhook-id` is stable per delivery and step, so a
 * receiver can drop the duplicate a retry may send; the signature covers `{id}.{timestamp}.{body}`. With several
 * `secrets` (a rotation's grace) `webhook-signature` carries one `v1,` entry per secret, space-separated, so a
 * receiver holding either secret verifies.
 */
export async function sendNotification(
  options: NotifyOptions,
  secrets: readonly string[],
  messageId: string,
  signal: AbortSignal,
  outbound: OutboundHttp,
  now = () => Date.now(),
): Promise<{ status: number }> {
  const body = JSON.stringify(options.payload ?? null);
  const nowMs = now();
  const signed = secrets.map((secret) => signStandardWebhooks(body, secret, { nowMs, id: messageId }));
  const { status } = await httpRequest(
    {
      method: 'POST',
      url: options.url,
      body,
      timeoutMs: options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'webhook-id': messageId,
        'webhook-timestamp': signed[0]!['webhook-timestamp']!,
        'webhook-signature': signed.map((headers) => headers['webhook-signature']).join(' '),
      },
    },
    signal,
    outbound,
  );
  return { status };
}
