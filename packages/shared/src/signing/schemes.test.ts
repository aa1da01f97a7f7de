import { describe, expect, it } from 'vitest';
import { schemeNames } from '@hookflow/protocol';
import { signers } from '@hookflow/protocol/signing';
import { getScheme } from './schemes.js';

const body = JSON.stringify({ id: 'evt_1', type: 'document.extracted', text: 'héllo' });

describe('signature schemes', () => {
  it.each(schemeNames)('%s verifies what a sender signs with its signer (the SDK, the CLI), and refuses another secret', (name) => {
    const scheme = getScheme(name);
    const secret = scheme.generateSecret();
    const nowMs = Date.now();
    const headers = signers[name](body, secret, { nowMs, id: 'msg_sender_test' });
    const verify = (secrets: string[]) =>
      scheme.verify({ rawBody: Buffer.from(body), headers, secrets, nowMs, parsedBody: () => JSON.parse(body) });
    expect(verify([secret])).toEqual({ ok: true });
    expect(verify([scheme.generateSecret()])).toMatchObject({ ok: false });
  });

  it('knows no scheme by a name that is not listed', () => {
    for (const name of ['md5', 'constructor', '__proto__']) expect(() => getScheme(name)).toThrow(/unknown signature scheme/);
  });
});
