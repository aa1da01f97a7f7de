import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';

// No Docker engine runs here, so the compose file and the Dockerfile are checked by reading them.
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'));
const composeText = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const apps = ['ingress', 'worker'] as const;

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions by stage (continuation lines joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: args! };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)!.push(instruction);
  }
  return stages;
}

const stages = dockerStages(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const all = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.keyword === keyword);
const runs = (stage: Instruction[]) =>
  all(stage, 'RUN')
    .map((instruction) => instruction.args)
    .join('\n');
const execForm = (stage: Instruction[], keyword: string): string[] => JSON.parse(all(stage, keyword).at(-1)!.args) as string[];

describe('docker-compose.yml', () => {
  it('has redis, ingress and worker services, each restarted unless stopped', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['ingress', 'redis', 'worker']);
    for (const service of Object.values<{ restart?: string }>(compose.services)) expect(service.restart).toBe('unless-stopped');
  });

  it('runs Redis with AOF, noeviction and a healthcheck', () => {
    const command: string[] = compose.services.redis.command;
    expect(command.join(' ')).toContain('--appendonly yes');
    expect(command.join(' ')).toContain('--appendfsync everysec');
    expect(command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(compose.services.redis.healthcheck.test.join(' ')).toContain('redis-cli ping');
  });

  it.each(apps)('%s runs its bundle with node (not npm, so the signal reaches it) and is health-checked on /healthz', (name) => {
    const service = compose.services[name];
    expect(service.command).toEqual(['node', `apps/${name}/dist/main.js`]);
    // The image's init (tini) stays in front of node.
    expect(service.entrypoint).toBeUndefined();
    expect(service.init).toBeUndefined();
    expect(service.healthcheck.test.join(' ')).toContain('/healthz');
    expect(service.depends_on.redis.condition).toBe('service_healthy');
    expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(service.stop_grace_period).toBe('30s');
  });

  it.each(apps)('%s reads an optional .env (env_file), so LLM_* and HOOKFLOW_VAR_* reach it', (name) => {
    expect(compose.services[name].env_file).toEqual([{ path: '.env', required: false }]);
  });

  it('publishes the ingress on HOOKFLOW_PORT (default 8080), and the public URL follows it', () => {
    expect(compose.services.ingress.ports).toEqual(['${HOOKFLOW_PORT:-8080}:8080']);
    expect(compose.services.ingress.environment.HOOKFLOW_PUBLIC_URL).toBe(
      '${HOOKFLOW_PUBLIC_URL:-http://localhost:${HOOKFLOW_PORT:-8080}}',
    );
  });

  it('lets the worker scale: no fixed container name or published port on the worker', () => {
    expect(compose.services.worker.container_name).toBeUndefined();
    expect(compose.services.worker.ports).toBeUndefined();
  });

  it('requires the production secrets instead of defaulting them', () => {
    for (const name of apps) expect(compose.services[name].environment.HOOKFLOW_MASTER_KEY).toMatch(/:\?/);
    expect(compose.services.ingress.environment.HOOKFLOW_ADMIN_TOKEN).toMatch(/:\?/);
  });
});

describe('.env.example', () => {
  const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
  const named = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));

  it('names every variable docker-compose.yml reads, and leaves the secrets empty', () => {
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
    expect(interpolated.size).toBeGreaterThan(0);
    for (const name of interpolated) expect(named, name).toContain(name);
    expect(example).toMatch(/^HOOKFLOW_ADMIN_TOKEN=$/m);
    expect(example).toMatch(/^HOOKFLOW_MASTER_KEY=$/m);
  });

  it('names the LLM settings and the HOOKFLOW_VAR_* of every shipped workflow', () => {
    for (const name of ['LLM_BASE_URL', 'LLM_API_KEY', 'LLM_MODEL']) expect(named).toContain(name);
    const workflowVars = readdirSync(join(repoRoot, 'workflows'))
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) =>
        [...readFileSync(join(repoRoot, 'workflows', file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!),
      );
    expect(workflowVars.length).toBeGreaterThan(0);
    for (const name of workflowVars) expect(named).toContain(`HOOKFLOW_VAR_${name}`);
  });

  it('is ignored by docker builds and git as .env, the file it is copied to', () => {
    expect(readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n')).toContain('.env');
    expect(readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });
});

describe('Dockerfile', () => {
  it('builds in a stage of its own: every dependency, then npm run build (apps, console, CLI)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((stage) => / AS build$/i.test(stage[0]!.args))!;
    expect(build).toBeDefined();
    expect(runs(build)).toMatch(/npm ci\b(?![^\n]*--omit=dev)/);
    expect(runs(build)).toContain('npm run build');
  });

  it('installs production dependencies only in the final stage, and builds nothing there', () => {
    expect(final[0]!.args).not.toMatch(/ AS build$/i);
    expect(runs(final)).toMatch(/npm ci [^\n]*--omit=dev/);
    expect(runs(final)).not.toContain('--include=dev');
    expect(runs(final)).not.toContain('npm run build');
  });

  it('copies the built apps and the built console from the build stage', () => {
    const copied = all(final, 'COPY').map((instruction) => instruction.args);
    for (const dir of ['apps/ingress/dist', 'apps/worker/dist', 'apps/console/dist'])
      expect(copied).toContain(`--from=build /app/${dir} ${dir}`);
  });

  it('runs as a non-root user, after everything that needs root', () => {
    const users = all(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(final.indexOf(users.at(-1)!)).toBeGreaterThan(final.lastIndexOf(all(final, 'RUN').at(-1)!));
  });

  it('runs node directly under tini, installed from Debian', () => {
    expect(runs(final)).toMatch(/apt-get install [^\n]*\btini\b/);
    expect(execForm(final, 'ENTRYPOINT')).toEqual(['/usr/bin/tini', '--']);
    const cmd = execForm(final, 'CMD');
    expect(cmd[0]).toBe('node');
    expect(cmd).not.toContain('npm');
    expect(cmd[1]).toBe('apps/ingress/dist/main.js');
  });
});

describe('production dependencies', () => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')).packages as Record<string, { dev?: boolean }>;

  /**
   * The packages a built file imports at run time, following its relative imports (the CLI is compiled file by file;
   * esbuild left every npm dependency of the app bundles as an import).
   */
  function importedPackages(file: string, seen = new Set<string>()): Set<string> {
    const packages = new Set<string>();
    if (seen.has(file)) return packages;
    seen.add(file);
    expect(existsSync(file), `${file} is missing: run npm run build first`).toBe(true);
    const code = readFileSync(file, 'utf8');
    const specifiers = [
      ...code.matchAll(/(?:^|\n)(?:import|export)\s*(?:[^;"']*?from\s*)?["']([^"']+)["'];/g),
      ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ].map((match) => match[1]!);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) for (const name of importedPackages(join(dirname(file), spec), seen)) packages.add(name);
      else if (!isBuiltin(spec))
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
    return packages;
  }

  it.each(['apps/ingress/dist/main.js', 'apps/worker/dist/main.js', 'packages/cli/dist/main.js'])(
    'everything %s imports is installed by npm ci --omit=dev',
    (file) => {
      const packages = importedPackages(join(repoRoot, file));
      expect(packages).toContain(file.startsWith('packages/cli') ? 'commander' : 'bullmq');
      for (const name of packages) {
        const entry = lock[`node_modules/${name}`];
        expect(entry, `${name} is not in package-lock.json`).toBeDefined();
        expect(entry!.dev, `${name} is only a dev dependency`).not.toBe(true);
      }
    },
  );
});
