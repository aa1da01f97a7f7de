import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Each workspace is installed and published on its own: a package it imports but does not declare works here only
// because npm hoisted it for another workspace, and breaks once that one stops needing it.

const repoRoot = join(import.meta.dirname, '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(join(repoRoot, file), 'utf8'));
const workspaces: string[] = readJson('package.json').workspaces;
const lock: Record<string, { version?: string; link?: boolean; resolved?: string }> = readJson('package-lock.json').packages;

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const manifestOf = (workspace: string): Manifest => readJson(join(workspace, 'package.json'));

/** Every source file of a workspace (tests, configs and launchers included), without installed or built files. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

const specifierPatterns = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The package a bare specifier names (`@scope/name` or `name`); null for relative paths and Node's own modules. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/** The packages a workspace's sources import, each with the first file that does. */
function importedPackages(workspace: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(repoRoot, workspace))) {
    const code = readFileSync(file, 'utf8');
    for (const pattern of specifierPatterns) {
      for (const [, specifier] of code.matchAll(pattern)) {
        const name = packageOf(specifier!);
        if (name && !found.has(name)) found.set(name, relative(repoRoot, file));
      }
    }
  }
  return found;
}

/** The version npm installed for `name` as `workspace` sees it: its own nested copy, else the hoisted one (a workspace's own). */
function lockedVersion(workspace: string, name: string): string | undefined {
  const entry = lock[`${workspace}/node_modules/${name}`] ?? lock[`node_modules/${name}`];
  return entry?.link ? lock[entry.resolved!]?.version : entry?.version;
}

describe.each(workspaces)('workspace %s', (workspace) => {
  const manifest = manifestOf(workspace);
  const declared = {
    ...manifest.dependencies,
    ...manifest.devDependencies,
    ...manifest.peerDependencies,
    ...manifest.optionalDependencies,
  };

  it('declares every package its sources import', () => {
    const imported = importedPackages(workspace);
    expect(imported.size, 'no imports found: the scan is broken').toBeGreaterThan(0);
    const undeclared = [...imported]
      .filter(([name]) => name !== manifest.name && !Object.hasOwn(declared, name))
      .map(([name, file]) => `${name} (${file})`);
    expect(undeclared).toEqual([]);
  });

  it('pins each dependency to the exact version in package-lock.json', () => {
    const mismatched = Object.entries(declared)
      .filter(([name, range]) => range !== lockedVersion(workspace, name))
      .map(([name, range]) => `${name}@${range} (locked: ${lockedVersion(workspace, name) ?? 'none'})`);
    expect(mismatched).toEqual([]);
  });
});

describe('the import scan', () => {
  it("finds static and dynamic imports of packages, and skips relative paths and Node's own modules", () => {
    const worker = importedPackages('apps/worker');
    for (const name of ['bullmq', 'zod', 'jsonata', 'vitest', '@hookflow/shared']) expect(worker.has(name), name).toBe(true);
    expect(importedPackages('packages/cli').has('tsx')).toBe(true); // the launcher's import('tsx/esm/api')
    expect([...worker.keys()].some((name) => name.startsWith('.') || name.startsWith('node:'))).toBe(false);
  });
});
