import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { SecretBox } from '../crypto/secret-box.js';
import { OutboundSecretStore } from './outbound-secret-store.js';

const prefix = testPrefix('outbound-secrets');
const redis = testRedis();
const keys = createKeys(prefix);
const box = new SecretBox(randomBytes(32).toString('base64'));
const fixedNow = new Date('2026-12-01T12:00:00.000Z');
const store = new OutboundSecretStore(redis, keys, box, () => fixedNow);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const agent = () => `agt_${randomBytes(6).toString('hex')}`;

describe('OutboundSecretStore', () => {
  it('creates one whsec_ secret on first read, the same for every reader, stored sealed', async () => {
    const id = agent();
    const [a, b] = await Promise.all([store.get(id), new OutboundSecretStore(redis, keys, box).get(id)]);
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.secret.slice(6), 'base64')).toHaveLength(32);
    expect(b.secret).toBe(a.secret);
    expect(a).toMatchObject({ scheme: 'standard-webhooks', previous: null, previousExpiresAt: null });
    const stored = await redis.get(keys.agentOutboundSecret(id));
    expect(stored).not.toContain(a.secret.slice(6));
    expect(box.open(stored!, id)).toBe(a.secret);
    expect(await store.signingSecrets(id)).toEqual([a.secret]);
  });

  it('a rotation with a grace keeps the old secret signing, after the new one, until the grace ends', async () => {
    const id = agent();
    const before = await store.get(id);
    const rotated = await store.rotate(id, 3_600);
    expect(rotated.secret).not.toBe(before.secret);
    expect(rotated.previous).toBe(before.secret);
    const expiresAt = Date.parse(rotated.previousExpiresAt!);
    // Computed from Redis's remaining TTL: within the grace from the (fixed) now, never past it.
    expect(expiresAt).toBeLessThanOrEqual(fixedNow.getTime() + 3_600_000);
    expect(expiresAt).toBeGreaterThan(fixedNow.getTime() + 3_000_000);
    expect(await store.signingSecrets(id)).toEqual([rotated.secret, before.secret]);
    expect(await redis.pttl(keys.agentPreviousOutboundSecret(id))).toBeGreaterThan(3_000_000);
  });

  it('a rotation without grace stops the old secret at once, and a second rotation replaces the previous one', async () => {
    const id = agent();
    const first = await store.get(id);
    const second = await store.rotate(id, 60);
    const third = await store.rotate(id, 0);
    expect(third.previous).toBeNull();
    expect(third.previousExpiresAt).toBeNull();
    expect(await store.signingSecrets(id)).toEqual([third.secret]);
    expect(new Set([first.secret, second.secret, third.secret]).size).toBe(3);
    const fourth = await store.rotate(id, 60);
    expect(fourth.previous).toBe(third.secret);
  });

  it('rotating an agent that never read its secret just creates one', async () => {
    const id = agent();
    const rotated = await store.rotate(id, 600);
    expect(rotated).toMatchObject({ previous: null, previousExpiresAt: null });
    expect((await store.get(id)).secret).toBe(rotated.secret);
  });

  it('delete forgets both secrets: the next read makes a new one', async () => {
    const id = agent();
    const old = await store.get(id);
    await store.rotate(id, 600);
    await store.delete(id);
    expect(await redis.exists(keys.agentOutboundSecret(id), keys.agentPreviousOutboundSecret(id))).toBe(0);
    expect((await store.get(id)).secret).not.toBe(old.secret);
  });
});
