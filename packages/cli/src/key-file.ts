import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';

export interface SigningKey {
  key: string;
  /** The scheme named in a Hookflow key file, if the file is one. */
  scheme?: string;
}

function readText(path: string, what: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Reads a key file as downloaded (`{ privateKey, scheme, … }`), or a file holding just a provider's secret. */
export function readSigningKey(path: string): SigningKey {
  const text = readText(path, 'key file').trim();
  if (!text) throw new CliError(`key file ${path} is empty`);
  if (!text.startsWith('{')) return { key: text };
  let parsed: { privateKey?: unknown; scheme?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`key file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed.privateKey !== 'string' || parsed.privateKey.length === 0)
    throw new CliError(`key file ${path} has no privateKey: download one with hookflow keys download <webhookId> --out ${path}`);
  return { key: parsed.privateKey, ...(typeof parsed.scheme === 'string' ? { scheme: parsed.scheme } : {}) };
}

/** `--data` is inline JSON, or `@file` (`@-` or `-` for stdin); it must parse, so a typo never goes out. */
export function readData(value: string): unknown {
  const source = value === '-' ? '-' : value.startsWith('@') ? value.slice(1) : null;
  const text = source === null ? value : readText(source, 'data file');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(
      `--data${source === null ? '' : ` (${source === '-' ? 'stdin' : source})`} is not valid JSON: ${(err as Error).message}`,
    );
  }
}
