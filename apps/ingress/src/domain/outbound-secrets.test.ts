import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@hookflow/shared';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';
import { defaultGraceSeconds } from './outbound-secrets.js';

const ctx = testIngressDomain('domain-outbound-secrets');
const { outboundSecrets } = ctx.domain;

afterAll(() => ctx.close());

describe('OutboundSecretService', () => {
  it("shows the agent's signing secret, never the previous one", async () => {
    const agent = await ctx.domain.agents.create({ name: 'notifier' });
    const shown = await outboundSecrets.get(agent.id);
    expect(shown).toEqual({ secret: expect.stringMatching(/^whsec_/), scheme: 'standard-webhooks', previousExpiresAt: null });
    const rotated = await outboundSecrets.rotate(agent.id, 60);
    expect(Object.keys(rotated).sort()).toEqual(['previousExpiresAt', 'scheme', 'secret']);
    expect(rotated.secret).not.toBe(shown.secret);
    expect(await ctx.services.outboundSecrets.signingSecrets(agent.id)).toEqual([rotated.secret, shown.secret]);
  });

  it('a rotation without a grace keeps the old secret signing for a day; with 0 it stops at once', async () => {
    const agent = await ctx.domain.agents.create({ name: 'rotator' });
    await outboundSecrets.get(agent.id);
    const before = Date.now();
    const rotated = await outboundSecrets.rotate(agent.id);
    const expiresAt = Date.parse(rotated.previousExpiresAt!);
    expect(expiresAt).toBeGreaterThan(before + (defaultGraceSeconds - 60) * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + defaultGraceSeconds * 1000);
    const stopped = await outboundSecrets.rotate(agent.id, 0);
    expect(stopped.previousExpiresAt).toBeNull();
    expect(await ctx.services.outboundSecrets.signingSecrets(agent.id)).toEqual([stopped.secret]);
  });

  it('an unknown agent is 404 agent_not_found, and gets no secret', async () => {
    const agentId = newId('agt');
    expect(await refusalOf(outboundSecrets.get(agentId))).toMatchObject({ code: 'agent_not_found', status: 404 });
    expect(await refusalOf(outboundSecrets.rotate(agentId, 0))).toMatchObject({ code: 'agent_not_found', status: 404 });
    expect(await ctx.redis.exists(ctx.services.keys.agentOutboundSecret(agentId))).toBe(0);
  });
});
