import { OutboundSecretStore, SecretBox, type Keys, type RedisClient } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

/**
 * The secrets a `notify` step signs with: the agent's current one and, during a rotation's grace, the one it
 * replaced (API.md §5.2). Without a master key there is nowhere safe to keep them, so notify steps fail clearly.
 */
export class OutboundSecrets {
  readonly #store: OutboundSecretStore | null;

  constructor(redis: RedisClient, keys: Keys, masterKey: string | undefined) {
    this.#store = masterKey ? new OutboundSecretStore(redis, keys, new SecretBox(masterKey)) : null;
  }

  async signingSecrets(agentId: string): Promise<string[]> {
    if (!this.#store)
      throw new WorkflowError('notify_unconfigured', 'notify steps need HOOKFLOW_MASTER_KEY to keep the signing secret', false);
    try {
      return await this.#store.signingSecrets(agentId);
    } catch (err) {
      throw new WorkflowError('notify_unconfigured', 'the signing secret could not be read', true, { cause: err });
    }
  }
}
