import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startStub, type HttpStub } from '../../../../test/workflows/support/http-stub.js';
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
    sendJson(res, 200, { method: req.method, body: req.body, authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null });
  });
  client = createOutboundHttp({ allow: [new URL(allowed.url).host, `localhost:${new URL(allowed.url).port}`], maxResponseBytes, maxRedirects: 3 });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([allowed?.close(), other?.close()]);
});

const get = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  client.request(parseOutboundUrl(url), { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body, signal });
const json = async (url: string, init?: Parameters<typeof get>[1]) => JSON.parse((await get(url, init)).body.toString('utf8'));

describe('createOutboundHttp', () => {
  it('reaches an allowed service by its address and by an allowed name', async () => {
    expect(await json(`${allowed.url}/echo`)).toMatchObject({ method: 'GET' });
    expect(await json(`http://localhost:${new URL(allowed.url).port}/echo`)).toMatchObject({ method: 'GET' });
  });

  it('refuses a loopback service that is not allowed, and a redirect to it by address or by name', async () => {
    await expect(get(`${other.url}/`)).rejects.toMatchObject({ code: 'egress_denied', retryable: false });
    await expect(get(`${allowed.url}/to-other`)).rejects.toMatchObject({ code: 'egress_denied', message: expect.stringContaining(`127.0.0.1:${new URL(other.url).port}`) });
    await expect(get(`${allowed.url}/to-other-by-name`)).rejects.toMatchObject({ code: 'egress_denied', message: expect.stringMatching(/localhost:\d+ resolves to/) });
    expect(other.requests).toHaveLength(0);
  });

  it('refuses schemes other than http and https, in a URL or a redirect', async () => {
    expect(() => parseOutboundUrl('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'egress_denied' }));
    expect(() => parseOutboundUrl('gopher://127.0.0.1:70/')).toThrow(expect.objectContaining({ code: 'egress_denied' }));
    expect(() => parseOutboundUrl('not a url')).toThrow(expect.objectContaining({ code: 'invalid_url' }));
    expect(() => parseOutboundUrl('http://user:secret@example.com/')).toThrow(expect.not.objectContaining({ message: expect.stringContaining('secret') }));
    await expect(get(`${allowed.url}/to-file`)).rejects.toMatchObject({ code: 'egress_denied' });
  });

  it('follows redirects as browsers do, dropping credentials on the way to another origin', async () => {
    expect(await json(`${allowed.url}/to-self`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).toMatchObject({ method: 'GET', body: '' });
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
});
