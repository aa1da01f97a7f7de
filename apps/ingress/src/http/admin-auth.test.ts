import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { adminRoleOf, type AdminAuthenticator } from './admin-auth.js';

const tokens = { admin: 'admin-token-0123456789', readonly: 'readonly-token-0123456789' };
// Only the headers are read; a plain object stands in for the request.
const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('admin authentication', () => {
  it('recognises the bearer tokens and nothing else', () => {
    expect(adminRoleOf(request({ authorization: `Bearer ${tokens.admin}` }), tokens)).toBe('admin');
    expect(adminRoleOf(request({ authorization: `bearer ${tokens.readonly}` }), tokens)).toBe('readonly');
    expect(adminRoleOf(request({ authorization: `Bearer ${tokens.admin}x` }), tokens)).toBeNull();
    expect(adminRoleOf(request({}), tokens)).toBeNull();
  });

  it('accepts Basic with the token as password only where allowed', () => {
    const req = request({ authorization: basic('anyone', tokens.admin) });
    expect(adminRoleOf(req, tokens)).toBeNull();
    expect(adminRoleOf(req, tokens, { basic: true })).toBe('admin');
    expect(adminRoleOf(request({ authorization: basic('admin', 'wrong') }), tokens, { basic: true })).toBeNull();
    expect(adminRoleOf(request({ authorization: 'Basic !!!' }), tokens, { basic: true })).toBeNull();
  });

  it('lets another authenticator (a console session cookie) satisfy the same guard', () => {
    const cookieSession: AdminAuthenticator = (req) => (req.headers.cookie === 'hookflow_session=valid' ? 'admin' : null);
    expect(adminRoleOf(request({ cookie: 'hookflow_session=valid' }), tokens, { authenticators: [cookieSession] })).toBe('admin');
    expect(adminRoleOf(request({ cookie: 'hookflow_session=forged' }), tokens, { authenticators: [cookieSession] })).toBeNull();
    expect(adminRoleOf(request({ cookie: 'hookflow_session=valid' }), tokens)).toBeNull();
  });
});
