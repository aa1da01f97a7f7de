import { headerValue, type Headers, type SignatureScheme, type WebhookRecord } from '@hookflow/shared';

/**
 * The key that makes two requests "the same event" for one webhook, in order of precedence: the sender's own
 * `idempotency-key` (any scheme), the header named by the webhook's `dedupe.header` option, then the scheme's
 * delivery id (`webhook-id`, `x-github-delivery`, Stripe's body `id`, `x-shopify-webhook-id`). None: no dedupe.
 */
export function dedupeKeyOf(
  webhook: WebhookRecord,
  scheme: SignatureScheme,
  headers: Headers,
  parsedBody: () => unknown,
): string | undefined {
  const fromHeader = (name: string | undefined) => (name ? headerValue(headers, name.toLowerCase())?.trim() || undefined : undefined);
  return fromHeader('idempotency-key') ?? fromHeader(webhook.options.dedupe?.header) ?? scheme.dedupeKey(headers, parsedBody);
}
