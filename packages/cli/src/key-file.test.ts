import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { readData } from './key-file.js';

describe('readData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-cli-data-'));

  it('parses inline JSON and the JSON of an @file', () => {
    expect(readData('{"approved":true}')).toEqual({ approved: true });
    expect(readData('false')).toBe(false);
    const file = join(dir, 'body.json');
    writeFileSync(file, '{ "approved": false, "note": "too expensive" }\n');
    expect(readData(`@${file}`)).toEqual({ approved: false, note: 'too expensive' });
  });

  it('refuses text that is not JSON with one line that names where it came from', () => {
    expect(() => readData('{"approved":')).toThrow(CliError);
    expect(() => readData('{"approved":')).toThrow(/^--data is not valid JSON: /);
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ approved: yes }');
    expect(() => readData(`@${file}`)).toThrow(new RegExp(`^--data \\(${file.replace(/[.\\/]/g, '\\$&')}\\) is not valid JSON: `));
    expect(() => readData(`@${join(dir, 'missing.json')}`)).toThrow(/^cannot read data file .*missing\.json \(ENOENT\)$/);
  });
});
