import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';

// No Docker engine runs here, so the compose file is checked by reading it.
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'));
const scripts: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts;

describe('docker-compose.yml', () => {
  it('has redis, ingress and worker services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['ingress', 'redis', 'worker']);
  });

  it('runs Redis with AOF, noeviction and a healthcheck', () => {
    const command: string[] = compose.services.redis.command;
    expect(command.join(' ')).toContain('--appendonly yes');
    expect(command.join(' ')).toContain('--appendfsync everysec');
    expect(command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(compose.services.redis.healthcheck.test.join(' ')).toContain('redis-cli ping');
  });

  it.each(['ingress', 'worker'])('%s runs an npm script that exists and is health-checked on /healthz', (name) => {
    const service = compose.services[name];
    const command: string[] = service.command;
    expect(command.slice(0, 2)).toEqual(['npm', 'run']);
    expect(scripts[command[2]!]).toBeDefined();
    expect(scripts[command[2]!]).toBe(`exec node scripts/run-app.mjs ${name}`);
    expect(service.healthcheck.test.join(' ')).toContain('/healthz');
    expect(service.depends_on.redis.condition).toBe('service_healthy');
    expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
  });

  it('lets the worker scale: no fixed container name or published port on the worker', () => {
    expect(compose.services.worker.container_name).toBeUndefined();
    expect(compose.services.worker.ports).toBeUndefined();
  });

  it('requires the production secrets instead of defaulting them', () => {
    for (const name of ['ingress', 'worker']) {
      expect(compose.services[name].environment.HOOKFLOW_MASTER_KEY).toMatch(/:\?/);
    }
    expect(compose.services.ingress.environment.HOOKFLOW_ADMIN_TOKEN).toMatch(/:\?/);
  });

  it('builds from a Dockerfile whose default command is an existing script', () => {
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    const cmd = /CMD \["npm", "run", "([^"]+)"\]/.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(scripts[cmd![1]!]).toBeDefined();
  });
});
