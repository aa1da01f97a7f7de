import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../support/processes.js';

/** Debian's Chromium (apt-get install chromium); the tests never download a browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const screenshotDir = join(repoRoot, 'test-results/console');

/** Builds the console unless `npm run build` (the `pretest` script) already did. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(repoRoot, 'apps/console/dist/index.html'))) return;
  execFileSync('npm', ['run', 'build', '-w', 'apps/console'], { cwd: repoRoot, stdio: 'inherit' });
}

/**
 * Starts Chromium headless; screenshots of the previous run are cleared first so the folder shows this one. Each test
 * file keeps its own folder: files run in parallel, and one must not clear another's.
 */
export async function launchChromium(shots = screenshotDir): Promise<Browser> {
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
