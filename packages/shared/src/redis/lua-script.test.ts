import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../../../../test/support/redis.js';
import { LuaScript } from './lua-script.js';

const redis = testRedis();

afterAll(() => redis.disconnect());

describe('LuaScript (real Redis)', () => {
  it('runs a script Redis has never seen (NOSCRIPT → EVAL), then by its SHA', async () => {
    // A unique comment makes a script no other test (or earlier run) has loaded.
    const script = new LuaScript(`-- ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1]}`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await script.run(redis, ['k'], ['v'])).toEqual(['k', 'v']);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await script.run(redis, ['k2'], [7])).toEqual(['k2', '7']);
  });

  it('passes other script errors through', async () => {
    const script = new LuaScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.call('NOSUCHCOMMAND')`);
    await expect(script.run(redis, [], [])).rejects.toThrow(/Unknown Redis command|unknown command/i);
  });
});
