import type { WebhookKeyMeta, WebhookRecord, WebhookSecret } from '@hookflow/shared';

export function endpointOf(publicUrl: string, webhookId: string): string {
  return `${publicUrl}/hooks/${webhookId}`;
}

/** A webhook as API.md shows it: with its endpoint and key metadata, never a secret. */
export function presentWebhook(publicUrl: string, webhook: WebhookRecord, keys: WebhookKeyMeta[]) {
  return {
    id: webhook.id,
    agentId: webhook.agentId,
    name: webhook.name,
    workflow: webhook.workflow,
    scheme: webhook.scheme,
    status: webhook.status,
    endpoint: endpointOf(publicUrl, webhook.id),
    keys: keys.map(({ id, primary, createdAt, expiresAt }) => ({ id, primary, createdAt, expiresAt })),
    options: webhook.options,
    createdAt: webhook.createdAt,
  };
}

/** The downloadable key file: the only response that ever carries a secret. */
export function presentKeyFile(publicUrl: string, webhook: WebhookRecord, key: WebhookSecret, signatureHeader: string) {
  return {
    webhookId: webhook.id,
    keyId: key.id,
    privateKey: key.secret,
    algorithm: 'HMAC-SHA256' as const,
    scheme: webhook.scheme,
    signatureHeader,
    endpoint: endpointOf(publicUrl, webhook.id),
    createdAt: key.createdAt,
  };
}

export function keyFileName(webhookId: string): string {
  return `${webhookId}.private-key.json`;
}
