import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';

// The A/B tools refuse bad command lines before they start any process or touch Redis.
function runTool(tool: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', tool), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('A/B tools: command line', () => {
  it.each(['ab.ts', 'ab-worker.ts'])('%s without a checkout prints its usage line and exits 2', (tool) => {
    const { status, stderr } = runTool(tool, []);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `usage: npx tsx bench/${tool} <checkout A> [<checkout B>] ${tool === 'ab.ts' ? '[rounds, default 5] [seconds per round, default 4]' : '[rounds, default 4] [fill seconds, default 6]'}\n`,
    );
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    expect(runTool('ab.ts', [repoRoot, repoRoot, '0']).status).toBe(2);
    expect(runTool('ab.ts', [repoRoot, repoRoot, '3', '1.5']).status).toBe(2);
  });

  it('refuses, in one line, a checkout that has no built bundles instead of waiting for it', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'hookflow-unbuilt-'));
    const { status, stderr } = runTool('ab-worker.ts', [unbuilt]);
    rmSync(unbuilt, { recursive: true });
    expect(status).toBe(2);
    expect(stderr).toBe(
      `bench/ab-worker.ts: ${unbuilt} has no built bundles (apps/*/dist/main.js); run \`npm ci && npm run build\` there first\n`,
    );
  });
});
