import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ name: 'test', level: 'debug', destination: stream as never }) };
}

describe('createLogger', () => {
  it('redacts signatures, keys, tokens and authorization headers at the top level and one or two levels down', () => {
    const { lines, log } = capture();
    log.info(
      {
        authorization: 'Bearer top-secret-token',
        privateKey: 'pk_plaintext_key',
        headers: { authorization: 'Bearer nested-token', 'x-signature': 'deadbeefsignature', 'content-type': 'application/json' },
        req: { headers: { 'stripe-signature': 't=1,v1=stripesig', cookie: 'session=abc' } },
        key: { secret: 'whsec_nested_secret' },
        token: 'hf_admin_token_value',
      },
      'something happened',
    );
    const text = lines.join('');
    for (const secret of [
      'top-secret-token',
      'pk_plaintext_key',
      'nested-token',
      'deadbeefsignature',
      'stripesig',
      'session=abc',
      'whsec_nested_secret',
      'hf_admin_token_value',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('application/json');
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: 'test', msg: 'something happened' });
  });
});
