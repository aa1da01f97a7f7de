import { randomBytes } from 'node:crypto';
import { SecretBox, type Keys, type RedisClient } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

/**
 * Each agent's secret for signing `notify` calls (Standard Webhooks, `whsec_<base64>`), created on first use and
 * stored sealed with the master key (the agent id bound as context). Kept in memory once read.
 */
export class OutboundSecrets {
  readonly #cache = new Map<string, string>();
  readonly #box: SecretBox | null;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    masterKey: string | undefined,
  ) {
    this.#box = masterKey ? new SecretBox(masterKey) : null;
  }

  async get(agentId: string): Promise<string> {
    const cached = this.#cache.get(agentId);
    if (cached) return cached;
    if (!this.#box) throw new WorkflowError('notify_unconfigured', 'notify steps need HOOKFLOW_MASTER_KEY to keep the signing secret', false);
    const key = this.keys.agentOutboundSecret(agentId);
    const fresh = `whsec_${randomBytes(24).toString('base64')}`;
    // NX: two workers creating it at once must end up with one secret.
    await this.redis.set(key, this.#box.seal(fresh, agentId), 'NX');
    const sealed = await this.redis.get(key);
    if (sealed === null) throw new WorkflowError('notify_unconfigured', 'the signing secret could not be stored', true);
    const secret = this.#box.open(sealed, agentId);
    this.#cache.set(agentId, secret);
    return secret;
  }
}
