import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';

// The README is what a newcomer reads first: short, and every link in it and in docs/ must lead somewhere inside the
// repository (a link to a file outside it breaks on every clone). No Redis, no processes: plain file reads.

const maxReadmeLines = 350;
const documents = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Markdown text with fenced code blocks and inline code blanked out (line numbers kept), where links are not links. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target` in `text`. */
function linksIn(file: string, text: string): Link[] {
  const links: Link[] = [];
  prose(text).forEach((line, index) => {
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ file, line: index + 1, target: match[1]! });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
    if (definition) links.push({ file, line: index + 1, target: definition[1]! });
  });
  return links;
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Why `link` does not resolve inside the repository, or null when it does. External URLs are not followed. */
function brokenBecause(link: Link): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return null;
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const target = pathPart === '' ? join(repoRoot, link.file) : resolve(dirname(join(repoRoot, link.file)), decodeURIComponent(pathPart));
  const inside = relative(repoRoot, target);
  if (inside === '..' || inside.startsWith(`..${sep}`)) return 'points outside the repository';
  if (!existsSync(target)) return 'no such file';
  if (anchor && statSync(target).isFile() && target.endsWith('.md') && !anchorsOf(target).has(anchor.toLowerCase()))
    return `no heading #${anchor}`;
  return null;
}

describe('README and docs', () => {
  it(`README.md has at most ${maxReadmeLines} lines`, () => {
    const lines = readFileSync(join(repoRoot, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeGreaterThan(20);
    expect(lines).toBeLessThanOrEqual(maxReadmeLines);
  });

  it('every relative link in README.md and docs/*.md resolves to a file (and heading) inside the repository', () => {
    const links = documents.flatMap((file) => linksIn(file, readFileSync(join(repoRoot, file), 'utf8')));
    // The README links to docs/, so an extractor that finds nothing is itself broken.
    expect(links.filter((link) => link.file === 'README.md' && link.target.startsWith('docs/')).length).toBeGreaterThan(5);
    const broken = links.flatMap((link) => {
      const why = brokenBecause(link);
      return why ? [`${link.file}:${link.line} ${link.target} (${why})`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("the README's configuration table names every variable the ingress, the worker and the CLI read", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*(?:<NAME>)?)` \|/gm)].map((m) => m[1]!));
    const configFiles = ['apps/ingress/src/config.ts', 'apps/worker/src/config.ts', 'packages/cli/src/config.ts'];
    const read = configFiles.flatMap((file) =>
      [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!),
    );
    expect(read.length).toBeGreaterThan(20);
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
    // Workflow variables are read by prefix, not by name.
    expect(documented.has('HOOKFLOW_VAR_<NAME>')).toBe(true);
  });
});

describe('the link checker', () => {
  it('finds links in prose, and not in code blocks or inline code', () => {
    const text = [
      'See [the API](docs/api.md) and ![a picture](docs/console.png "title").',
      '`[not](a-link.md)`',
      '```',
      '[nor](this.md)',
      '```',
      '[ref]: docs/cli.md',
    ].join('\n');
    expect(linksIn('README.md', text)).toEqual([
      { file: 'README.md', line: 1, target: 'docs/api.md' },
      { file: 'README.md', line: 1, target: 'docs/console.png' },
      { file: 'README.md', line: 6, target: 'docs/cli.md' },
    ]);
  });

  it('tells a broken link from a good one', () => {
    expect(brokenBecause({ file: 'README.md', line: 1, target: 'docs/api.md' })).toBeNull();
    expect(brokenBecause({ file: 'docs/api.md', line: 1, target: '../README.md#quick-start' })).toBeNull();
    expect(brokenBecause({ file: 'docs/api.md', line: 1, target: 'https://example.com/x' })).toBeNull();
    expect(brokenBecause({ file: 'README.md', line: 1, target: 'docs/no-such-file.md' })).toBe('no such file');
    expect(brokenBecause({ file: 'README.md', line: 1, target: '../shared/API.md' })).toBe('points outside the repository');
    expect(brokenBecause({ file: 'README.md', line: 1, target: '#no-such-heading' })).toBe('no heading #no-such-heading');
  });
});
