/**
 * `npm run start:ingress` / `start:worker`: runs the bundle `npm run build` made (plain Node, no TypeScript loader),
 * or says in one line how to make it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const apps = ['ingress', 'worker'];
const app = process.argv[2];
if (!apps.includes(app)) {
  process.stderr.write(`hookflow: usage: node scripts/run-app.mjs ${apps.join('|')}\n`);
  process.exit(2);
}
const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', app, 'dist', 'main.js');
if (!existsSync(bundle)) {
  process.stderr.write(`hookflow: apps/${app}/dist/main.js is missing; run npm run build first\n`);
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
