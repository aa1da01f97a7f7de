import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';

const run = promisify(execFile);

/** Runs scripts/run-app.mjs and returns its exit code and stderr. */
async function runApp(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [script, ...args], { timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const failure = err as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe('scripts/run-app.mjs (npm run start:ingress / start:worker)', () => {
  it('says in one line to build first when the bundle is missing, and exits 1', async () => {
    // A copy of the launcher in an empty tree: it looks for ../apps/<app>/dist/main.js next to itself.
    const tree = mkdtempSync(join(tmpdir(), 'hookflow-run-app-'));
    mkdirSync(join(tree, 'scripts'));
    copyFileSync(join(repoRoot, 'scripts', 'run-app.mjs'), join(tree, 'scripts', 'run-app.mjs'));
    const { code, stderr } = await runApp(join(tree, 'scripts', 'run-app.mjs'), ['worker']);
    expect(code).toBe(1);
    expect(stderr).toBe('hookflow: apps/worker/dist/main.js is missing; run npm run build first\n');
  });

  it('refuses an unknown app with its usage line and exit code 2', async () => {
    const { code, stderr } = await runApp(join(repoRoot, 'scripts', 'run-app.mjs'), ['nope']);
    expect(code).toBe(2);
    expect(stderr).toBe('hookflow: usage: node scripts/run-app.mjs ingress|worker\n');
  });
});
