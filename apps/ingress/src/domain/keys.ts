import { getScheme, ProblemError, type KeyStore, type WebhookRecord, type WebhookSecret, type WebhookStore } from '@hookflow/shared';
import { presentKeyFile } from '../api/presenters.js';
import type { WebhookChangeListener } from './types.js';

export type KeyFile = ReturnType<typeof presentKeyFile>;

export interface NewKey {
  /** A provider-issued secret to store; without it one is generated for the webhook's scheme. */
  secret?: string | undefined;
  /** How long the previous primary key keeps verifying (0: revoked at once). */
  graceSeconds?: number | undefined;
}

export interface KeyServiceDeps {
  webhooks: WebhookStore;
  keyStore: KeyStore;
  /** This process's look-up cache; other replicas hear of the new key over pub/sub (the key store announces it). */
  cache: WebhookChangeListener;
  publicUrl: string;
}

/** A webhook's signing keys, handed out only as the key file (the one answer that carries a secret). */
export class KeyService {
  constructor(private readonly deps: KeyServiceDeps) {}

  /** Makes a new primary key and forgets the cached keys, so requests signed with it verify here at once. */
  async create(webhookId: string, { secret, graceSeconds = 0 }: NewKey): Promise<KeyFile> {
    const webhook = await this.deps.webhooks.get(webhookId);
    const key = await this.deps.keyStore.addPrimary(webhook.id, secret ?? getScheme(webhook.scheme).generateSecret(), graceSeconds);
    this.deps.cache.invalidate(webhook.id);
    return this.#keyFile(webhook, key);
  }

  /** The key file of the current primary key; 404 `key_not_found` before any key was made. */
  async primaryKeyFile(webhookId: string): Promise<KeyFile> {
    const webhook = await this.deps.webhooks.get(webhookId);
    const key = await this.deps.keyStore.primary(webhook.id);
    if (!key) throw new ProblemError('key_not_found', 'no private key has been generated for this webhook yet');
    return this.#keyFile(webhook, key);
  }

  #keyFile(webhook: WebhookRecord, key: WebhookSecret): KeyFile {
    return presentKeyFile(this.deps.publicUrl, webhook, key, getScheme(webhook.scheme).signatureHeaders[0]!);
  }
}
