import type { AgentStore, OutboundSecret, OutboundSecretStore } from '@hookflow/shared';

/** A rotation without `graceSeconds` keeps the old secret signing for a day, so receivers have time to switch. */
export const defaultGraceSeconds = 86_400;

/** The previous secret stays server-side: notify sends its signature too, so a receiver needs only the current one. */
export type OutboundSecretView = Pick<OutboundSecret, 'secret' | 'scheme' | 'previousExpiresAt'>;

/** The secret an agent's `notify` steps sign with, for its receivers to verify. */
export class OutboundSecretService {
  constructor(private readonly deps: { agents: AgentStore; secrets: OutboundSecretStore }) {}

  /** Made on first read, so every agent has one. */
  async get(agentId: string): Promise<OutboundSecretView> {
    await this.deps.agents.get(agentId);
    return present(await this.deps.secrets.get(agentId));
  }

  /** A new secret; the old one keeps signing alongside for `graceSeconds`. */
  async rotate(agentId: string, graceSeconds = defaultGraceSeconds): Promise<OutboundSecretView> {
    await this.deps.agents.get(agentId);
    return present(await this.deps.secrets.rotate(agentId, graceSeconds));
  }
}

function present({ secret, scheme, previousExpiresAt }: OutboundSecret): OutboundSecretView {
  return { secret, scheme, previousExpiresAt };
}
