#!/usr/bin/env node
// npm links a workspace's bin only when the file exists at install time, and dist/ is built after `npm ci`, so the
// bin is this committed launcher: it runs the built CLI, or (in the repository, before `npm run build`) the sources
// through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('error: hookflow is not built: run npm run build\n');
    process.exit(1);
  }
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
