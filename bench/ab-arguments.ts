import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../test/support/processes.js';

/**
 * The command line of the A/B tools: `<checkout A> [<checkout B = this repo>] [rounds] [seconds]`. Without a
 * checkout, or with a count that is not a whole number of at least 1, prints the usage line and exits 2; so does a
 * checkout without the bundles `npm run build` makes, which the tools run (rather than waiting for one that never answers).
 */
export function abArguments(tool: string, secondsMeaning: string, defaults: { rounds: number; seconds: number }) {
  const [a, b, rounds = String(defaults.rounds), seconds = String(defaults.seconds)] = process.argv.slice(2);
  const count = (text: string) => (/^[1-9][0-9]*$/.test(text) ? Number(text) : null);
  if (!a || count(rounds) === null || count(seconds) === null) {
    process.stderr.write(
      `usage: npx tsx bench/${tool} <checkout A> [<checkout B>] [rounds, default ${defaults.rounds}] [${secondsMeaning}, default ${defaults.seconds}]\n`,
    );
    process.exit(2);
  }
  const [dirA, dirB] = [resolve(a), resolve(b ?? repoRoot)];
  for (const dir of [dirA, dirB]) {
    if (!['ingress', 'worker'].every((app) => existsSync(join(dir, `apps/${app}/dist/main.js`)))) {
      process.stderr.write(
        `bench/${tool}: ${dir} has no built bundles (apps/*/dist/main.js); run \`npm ci && npm run build\` there first\n`,
      );
      process.exit(2);
    }
  }
  return { dirA, dirB, rounds: count(rounds)!, seconds: count(seconds)! };
}
