import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDemoDefaults, demoVars, envFileText } from '../../scripts/demo-env.js';

const freshHome = () => mkdtempSync(join(tmpdir(), 'hookflow-demo-env-'));

describe('applyDemoDefaults (npm start before npm run demo:upstreams)', () => {
  it('points every unset example variable at the default demo port and allows exactly that address', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(applyDemoDefaults(env, freshHome())).toBe('http://127.0.0.1:4780');
    expect(env).toMatchObject({
      HOOKFLOW_VAR_DOCS_URL: 'http://127.0.0.1:4780/docs',
      HOOKFLOW_VAR_NOTIFY_URL: 'http://127.0.0.1:4780/notify',
      HOOKFLOW_EGRESS_ALLOW: '127.0.0.1:4780',
    });
  });

  it('takes the port the demo script recorded, and keeps an allow list already set', () => {
    const home = freshHome();
    writeFileSync(join(home, 'demo.env'), envFileText(demoVars('http://127.0.0.1:5123')));
    const env: NodeJS.ProcessEnv = { HOOKFLOW_EGRESS_ALLOW: 'crm.intranet.example:8443' };
    expect(applyDemoDefaults(env, home)).toBe('http://127.0.0.1:5123');
    expect(env.HOOKFLOW_VAR_CRM_URL).toBe('http://127.0.0.1:5123/crm');
    expect(env.HOOKFLOW_EGRESS_ALLOW).toBe('crm.intranet.example:8443,127.0.0.1:5123');
  });

  it('changes nothing when the variables are set, or in production', () => {
    const set: NodeJS.ProcessEnv = Object.fromEntries(
      Object.keys(demoVars('http://x.example'))
        .filter((n) => n.startsWith('HOOKFLOW_VAR_'))
        .map((n) => [n, 'https://real.example']),
    );
    expect(applyDemoDefaults(set, freshHome())).toBeNull();
    expect(set.HOOKFLOW_EGRESS_ALLOW).toBeUndefined();
    const production: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    expect(applyDemoDefaults(production, freshHome())).toBeNull();
    expect(production).toEqual({ NODE_ENV: 'production' });
  });
});
