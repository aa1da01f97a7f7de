import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CommandContext, ContextFactory } from '../context.js';
import { intInRange } from '../parse-int.js';
import { renderRecord } from '../output.js';

interface KeyFile {
  webhookId: string;
  keyId: string;
  privateKey: string;
  scheme: string;
  endpoint: string;
  createdAt: string;
}

/**
 * With `--out` the key file is written (mode 0600) and only its metadata is printed; without it the key file itself
 * goes to stdout, as a download would, so it can be piped.
 */
function deliver({ out }: CommandContext, keyFile: KeyFile, file: string | undefined): void {
  if (!file) {
    process.stdout.write(`${JSON.stringify(keyFile, null, 2)}\n`);
    return;
  }
  const path = resolve(file);
  try {
    writeFileSync(path, `${JSON.stringify(keyFile, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const summary = { webhookId: keyFile.webhookId, keyId: keyFile.keyId, scheme: keyFile.scheme, endpoint: keyFile.endpoint, file: path };
  out.emit(summary, () => renderRecord(Object.entries(summary)));
}

export function registerKeys(program: Command, context: ContextFactory): void {
  const keys = program.command('keys').description("generate and download a webhook's private key");

  keys
    .command('generate')
    .description('generate a new primary key (the previous one stays valid for --grace seconds)')
    .argument('<webhookId>')
    .option('-o, --out <file>', 'write the key file here (mode 0600) instead of printing it')
    .option('--grace <seconds>', 'keep the previous key valid this long (default 0: revoked at once)', intInRange(0, 30 * 86_400))
    .action(async (webhookId: string, opts: { out?: string; grace?: number }, cmd: Command) => {
      const ctx = context(cmd);
      const keyFile = await ctx.api.request<KeyFile>(
        'POST',
        `/webhooks/${encodeURIComponent(webhookId)}/keys`,
        opts.grace !== undefined ? { graceSeconds: opts.grace } : {},
      );
      deliver(ctx, keyFile, opts.out);
    });

  keys
    .command('download')
    .description('download the key file of the primary key')
    .argument('<webhookId>')
    .option('-o, --out <file>', 'write the key file here (mode 0600) instead of printing it')
    .action(async (webhookId: string, opts: { out?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const keyFile = await ctx.api.request<KeyFile>('GET', `/webhooks/${encodeURIComponent(webhookId)}/private-key`);
      deliver(ctx, keyFile, opts.out);
    });
}
