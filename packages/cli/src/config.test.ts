import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemMessage } from './admin-api.js';
import { CliError } from './cli-error.js';
import { loadCliConfig } from './config.js';

describe('loadCliConfig', () => {
  const emptyHome = mkdtempSync(join(tmpdir(), 'hookflow-cli-config-'));

  it('defaults to http://localhost:8080 and trims a trailing slash', () => {
    expect(loadCliConfig({ HOOKFLOW_HOME: emptyHome }).url).toBe('http://localhost:8080');
    expect(loadCliConfig({ HOOKFLOW_URL: 'https://hooks.example.com/' }).url).toBe('https://hooks.example.com');
    expect(loadCliConfig({ HOOKFLOW_URL: 'http://a:1' }, 'http://b:2').url).toBe('http://b:2');
  });

  it('finds the URL npm start recorded in $HOOKFLOW_HOME/url when HOOKFLOW_URL and --url are not given', () => {
    const home = mkdtempSync(join(tmpdir(), 'hookflow-cli-config-'));
    writeFileSync(join(home, 'url'), 'http://127.0.0.1:18080\n');
    expect(loadCliConfig({ HOOKFLOW_HOME: home }).url).toBe('http://127.0.0.1:18080');
    expect(loadCliConfig({ HOOKFLOW_HOME: home, HOOKFLOW_URL: 'http://a:1' }).url).toBe('http://a:1');
    expect(loadCliConfig({ HOOKFLOW_HOME: home }, 'http://b:2').url).toBe('http://b:2');
    writeFileSync(join(home, 'url'), 'not a url\n');
    expect(() => loadCliConfig({ HOOKFLOW_HOME: home })).toThrow(CliError);
    expect(() => loadCliConfig({ HOOKFLOW_HOME: home })).toThrow(
      `${join(home, 'url')} does not hold an absolute http(s) URL: set HOOKFLOW_URL, or delete the file`,
    );
  });

  it('refuses a malformed URL with the name of its source', () => {
    expect(() => loadCliConfig({ HOOKFLOW_URL: 'localhost:8080' })).toThrow(/^HOOKFLOW_URL must be an absolute/);
    expect(() => loadCliConfig({}, 'nope')).toThrow(/^--url must be an absolute/);
  });

  it('takes the token from the environment, else from $HOOKFLOW_HOME/admin-token, else explains', () => {
    expect(loadCliConfig({ HOOKFLOW_ADMIN_TOKEN: ' tok-env ', HOOKFLOW_HOME: emptyHome }).adminToken()).toBe('tok-env');
    const home = mkdtempSync(join(tmpdir(), 'hookflow-cli-config-'));
    writeFileSync(join(home, 'admin-token'), 'tok-file\n');
    expect(loadCliConfig({ HOOKFLOW_ADMIN_TOKEN: '', HOOKFLOW_HOME: home }).adminToken()).toBe('tok-file');
    const missing = loadCliConfig({ HOOKFLOW_HOME: emptyHome });
    expect(() => missing.adminToken()).toThrow(CliError);
    expect(() => missing.adminToken()).toThrow(/no admin token: set HOOKFLOW_ADMIN_TOKEN/);
  });
});

describe('problemMessage', () => {
  it('puts detail, the first validation errors and the code on one line', () => {
    expect(problemMessage(404, { code: 'webhook_not_found', detail: 'webhook wh_x does not exist' }, 'GET /x')).toBe(
      'webhook wh_x does not exist [webhook_not_found]',
    );
    expect(
      problemMessage(
        400,
        {
          code: 'invalid_request',
          detail: 'the request is invalid',
          errors: [
            { path: 'workflow', message: 'must not be empty' },
            { path: 'name', message: 'too long' },
          ],
        },
        'POST /x',
      ),
    ).toBe('the request is invalid (workflow: must not be empty; name: too long) [invalid_request]');
  });

  it('names the request when the answer is not problem+json, without echoing HTML', () => {
    expect(problemMessage(502, '<html>Bad gateway</html>', 'GET /api/v1/queues')).toBe('GET /api/v1/queues answered HTTP 502');
    expect(problemMessage(500, 'upstream down', 'GET /q')).toBe('GET /q answered HTTP 500: upstream down');
  });
});
