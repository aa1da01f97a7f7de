import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startStub, type HttpStub } from '../../../../test/support/http-stub.js';
import { createOutboundHttp, parseOutboundUrl, type OutboundHttp } from './outbound-http.js';

let allowed: HttpStub;
let other: HttpStub;
let client: OutboundHttp;
const signal = new AbortController().signal;
const maxResponseBytes = 4096;

beforeAll(async () => {
  // `other` is a second loopback service that is NOT allowed: reaching it must fail however it is addressed.
  other = await startStub((_req, res) => sendJson(res, 200, { reached: 'other' }));
  allowed = await startStub((req, res) => {
    const to = (location: string, status = 302) => void res.writeHead(status, { location }).end('moved');
    if (req.path === '/to-other') return to(`${other.url}/`);
    if (req.path === '/to-other-by-name') return to(`http://localhost:${new URL(other.url).port}/`);
    if (req.path === '/to-file') return to('file:///etc/passwd');
    if (req.path === '/to-self') return to('/echo', 303);
    if (req.path === '/keep-method') return to('/echo', 307);
    if (req.path === '/to-name') return to(`http://localhost:${new URL(allowed.url).port}/echo`);
    if (req.path === '/loop') return to('/loop');
    if (req.path === '/declared-big') return void res.writeHead(200, { 'content-length': String(maxResponseBytes * 10) }).end();
    if (req.path === '/exact') return void res.writeHead(200).end('x'.repeat(maxResponseBytes));
    sendJson(res, 200, {
      method: req.method,
      body: req.body,
      authorization: req.headers.authorization ?? null,
      cookie: req.headers.cookie ?? null,
    });
  });
  client = createOutboundHttp({
    allow: [new URL(allowed.url).host, `localhost:${new URL(allowed.url).port}`],
    maxResponseBytes,
    maxRedirects: 3,
  });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([allowed?.close(), other?.close()]);
});

const get = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  client.request(parseOutboundUrl(url), { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body, signal });
/** A throwaway self-signed certificate for `localhost` (no CA trusts it): enough to see the TLS handshake's server name. */
const tlsFixture = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/F8XxLLebXSO1Aat
R0Nj5pEYwZORCB6zkYl+WMCqLNehRANCAATGtsqcp72EpCnMfmDubEvwHlGXScyY
BUI2HcAey4JxTgUat19x1wIAdENNue2NsoQmRyGWictjqrJrKFFVeM82
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUAMJTo9w5OJOEe0MkLB1hb7Uze2EwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTIxMjE1M1oYDzIxMjYxMTA3
MjEyMTUzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATGtsqcp72EpCnMfmDubEvwHlGXScyYBUI2HcAey4JxTgUat19x1wIA
dENNue2NsoQmRyGWictjqrJrKFFVeM82o2kwZzAdBgNVHQ4EFgQUsAqsSakhrX50
tfEIngUvFOooslswHwYDVR0jBBgwFoAUsAqsSakhrX50tfEIngUvFOooslswDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIgZ38koHkoeW0q/E2z+ZkfnV2YajXDC2dXKaiiI55ELZ8CIQCdY6P7QyxW
WLMC8emR/otVS7YXuL1wZA9con8MwEGJqA==
-----END CERTIFICATE-----`,
};

const json = async (url: string, init?: Parameters<typeof get>[1]) => JSON.parse((await get(url, init)).body.toString('utf8'));

describe('createOutboundHttp', () => {
  it('reaches an allowed service by its address and by an allowed name', async () => {
    expect(await json(`${allowed.url}/echo`)).toMatchObject({ method: 'GET' });
    expect(await json(`http://localhost:${new URL(allowed.url).port}/echo`)).toMatchObject({ method: 'GET' });
  });

  it('refuses a loopback service that is not allowed, and a redirect to it by address or by name', async () => {
    await expect(get(`${other.url}/`)).rejects.toMatchObject({ code: 'egress_denied', retryable: false });
    await expect(get(`${allowed.url}/to-other`)).rejects.toMatchObject({
      code: 'egress_denied',
      message: expect.stringContaining(`127.0.0.1:${new URL(other.url).port}`),
    });
    await expect(get(`${allowed.url}/to-other-by-name`)).rejects.toMatchObject({
      code: 'egress_denied',
      message: expect.stringMatching(/localhost:\d+ resolves to/),
    });
    expect(other.requests).toHaveLength(0);
  });

  it('refuses schemes other than http and https, in a URL or a redirect', async () => {
    expect(() => parseOutboundUrl('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'egress_denied' }));
    expect(() => parseOutboundUrl('gopher://127.0.0.1:70/')).toThrow(expect.objectContaining({ code: 'egress_denied' }));
    expect(() => parseOutboundUrl('not a url')).toThrow(expect.objectContaining({ code: 'invalid_url' }));
    expect(() => parseOutboundUrl('http://user:secret@example.com/')).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('secret') }),
    );
    await expect(get(`${allowed.url}/to-file`)).rejects.toMatchObject({ code: 'egress_denied' });
  });

  it('follows redirects as browsers do, dropping credentials on the way to another origin', async () => {
    expect(await json(`${allowed.url}/to-self`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).toMatchObject({
      method: 'GET',
      body: '',
    });
    expect(await json(`${allowed.url}/keep-method`, { method: 'POST', body: 'kept' })).toMatchObject({ method: 'POST', body: 'kept' });
    const sameOrigin = await json(`${allowed.url}/to-self`, { headers: { authorization: 'Bearer t' } });
    expect(sameOrigin.authorization).toBe('Bearer t');
    const crossOrigin = await json(`${allowed.url}/to-name`, { headers: { authorization: 'Bearer t', cookie: 'c=1' } });
    expect(crossOrigin).toMatchObject({ authorization: null, cookie: null });
    await expect(get(`${allowed.url}/loop`)).rejects.toMatchObject({ code: 'too_many_redirects', retryable: false });
  });

  it('reads a body up to the cap, and refuses one declared or sent past it', async () => {
    expect((await get(`${allowed.url}/exact`)).body.length).toBe(maxResponseBytes);
    await expect(get(`${allowed.url}/declared-big`)).rejects.toMatchObject({ code: 'response_too_large', retryable: false });
  });

  it('connects to the checked address with the host name as the TLS server name', async () => {
    const names: string[] = [];
    const context = createSecureContext(tlsFixture);
    const server = createTlsServer({ ...tlsFixture, SNICallback: (name, done) => (names.push(name), done(null, context)) }, (socket) =>
      socket.end(),
    );
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Allowed by address only, so `localhost` is resolved and checked, then dialled at 127.0.0.1.
    const tlsClient = createOutboundHttp({ allow: [`127.0.0.1:${port}`], maxResponseBytes });
    try {
      const failure = await tlsClient
        .request(parseOutboundUrl(`https://localhost:${port}/`), { method: 'GET', headers: {}, signal })
        .catch((err: Error) => err);
      // No CA trusts the certificate, so the client refuses it: in the handshake, after the egress check let it through.
      expect(failure).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(names).toEqual(['localhost']);
    } finally {
      await tlsClient.close();
      server.close();
    }
  });
});
