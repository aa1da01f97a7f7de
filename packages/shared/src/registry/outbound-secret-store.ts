import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { standardWebhooksScheme } from '../signing/standard-webhooks.js';

/** An agent's `notify` signing secrets: the current one, and during a rotation's grace the one it replaced. */
export interface OutboundSecret {
  secret: string;
  scheme: 'standard-webhooks';
  previous: string | null;
  /** When the previous secret stops signing (ISO 8601), or null when there is none. */
  previousExpiresAt: string | null;
}

/** Longest grace a rotation may give the old secret: 30 days. */
export const maxOutboundGraceSeconds = 30 * 86_400;

// KEYS: current, previous. ARGV: new sealed secret, grace in ms (0: no grace).
// Atomic, so two rotations at once cannot leave the previous slot holding a secret that never signed.
const rotateScript = `
local current = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
if current and tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[2], current, 'PX', ARGV[2])
else
  redis.call('DEL', KEYS[2])
end
return 1
`;

/**
 * Each agent's secret for signing `notify` calls (Standard Webhooks, `whsec_<base64>`), created on first use and
 * stored sealed with the master key (the agent id bound as context). Read from Redis on every use, so a rotation
 * reaches every worker at once; a notify call costs far more than the one GET.
 */
export class OutboundSecretStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(agentId: string): Promise<OutboundSecret> {
    let stored = await this.read(agentId);
    if (stored.sealed === null) {
      // NX: two processes creating it at once must end up with one secret.
      await this.redis.set(this.keys.agentOutboundSecret(agentId), this.box.seal(standardWebhooksScheme.generateSecret(), agentId), 'NX');
      stored = await this.read(agentId);
    }
    const { sealed, sealedPrevious, ttlMs } = stored;
    if (sealed === null) throw new Error('the outbound secret could not be stored');
    const hasPrevious = sealedPrevious !== null && ttlMs > 0;
    return {
      secret: this.box.open(sealed, agentId),
      scheme: 'standard-webhooks',
      previous: hasPrevious ? this.box.open(sealedPrevious, agentId) : null,
      previousExpiresAt: hasPrevious ? new Date(this.now().getTime() + ttlMs).toISOString() : null,
    };
  }

  /** The sealed current and previous secrets and the previous one's remaining grace, in one round trip. */
  private async read(agentId: string): Promise<{ sealed: string | null; sealedPrevious: string | null; ttlMs: number }> {
    const previous = this.keys.agentPreviousOutboundSecret(agentId);
    const [[, sealed], [, sealedPrevious], [, ttlMs]] = (await this.redis
      .multi()
      .get(this.keys.agentOutboundSecret(agentId))
      .get(previous)
      .pttl(previous)
      .exec()) as [[unknown, string | null], [unknown, string | null], [unknown, number]];
    return { sealed, sealedPrevious, ttlMs };
  }

  /** Every secret that signs right now, current first. */
  async signingSecrets(agentId: string): Promise<string[]> {
    const { secret, previous } = await this.get(agentId);
    return previous ? [secret, previous] : [secret];
  }

  /** A new current secret; the old one keeps signing for `graceSeconds` (0: it stops at once). */
  async rotate(agentId: string, graceSeconds: number): Promise<OutboundSecret> {
    const sealed = this.box.seal(standardWebhooksScheme.generateSecret(), agentId);
    await this.redis.eval(
      rotateScript,
      2,
      this.keys.agentOutboundSecret(agentId),
      this.keys.agentPreviousOutboundSecret(agentId),
      sealed,
      String(graceSeconds * 1000),
    );
    return this.get(agentId);
  }

  /** Forgets both secrets (when the agent is deleted). */
  async delete(agentId: string): Promise<void> {
    await this.redis.del(this.keys.agentOutboundSecret(agentId), this.keys.agentPreviousOutboundSecret(agentId));
  }
}
