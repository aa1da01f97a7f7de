import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The root of the Hookflow installation (checkout or image): the nearest directory at or above `from` whose
 * package.json is named `hookflow`. Files next to it (workflows/, the built console) are found from here, because
 * the code runs both from its sources and from the bundles in apps/{ingress,worker}/dist, at different depths.
 * Falls back to the working directory.
 */
export function installRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isHookflowManifest(manifest)) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

function isHookflowManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'hookflow';
  } catch {
    return false;
  }
}
