import type { Command } from 'commander';
import { send, SendError, UnknownSchemeError, type SendResult } from '@hookflow/sdk';
import { problemMessage } from '../admin-api.js';
import { CliError } from '../cli-error.js';
import type { ContextFactory } from '../context.js';
import { readData, readSigningKey } from '../key-file.js';
import { intInRange } from '../parse-int.js';
import { renderRecord } from '../output.js';
import { startProgress } from '../progress.js';
import { networkReason } from '../unreachable.js';

interface SendOpts {
  key: string;
  data: string;
  scheme?: string;
  idempotencyKey?: string;
  count: number;
  concurrency: number;
  attempts: number;
  timeout: number;
}

interface Outcome {
  ok: boolean;
  status: number | null;
  attempts: number;
  idempotencyKey: string;
  deliveryId: string | null;
  deliveryStatus: string | null;
  error: string | null;
}

const field = (body: unknown, name: string): string | null =>
  body && typeof body === 'object' && typeof (body as Record<string, unknown>)[name] === 'string'
    ? ((body as Record<string, string>)[name] ?? null)
    : null;

function outcomeOf(result: SendResult, url: string): Outcome {
  return {
    ok: result.ok,
    status: result.status,
    attempts: result.attempts,
    idempotencyKey: result.idempotencyKey,
    deliveryId: field(result.body, 'deliveryId'),
    deliveryStatus: field(result.body, 'status'),
    error: result.ok ? null : problemMessage(result.status, result.body, `POST ${url}`),
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export function registerSend(program: Command, context: ContextFactory): void {
  program
    .command('send')
    .description('send a signed event to a webhook (by id, through HOOKFLOW_URL) or to any URL, retrying like the SDK')
    .argument('<target>', 'webhook id (wh_…) or a full URL')
    .requiredOption('-k, --key <file>', 'key file from `hookflow keys download` (or a file holding a provider secret)')
    .requiredOption('-d, --data <json|@file>', 'the JSON payload, inline or @file (@- for stdin)')
    .option('--scheme <scheme>', "signature scheme (default: the key file's, else uptiq)")
    .option('--idempotency-key <key>', 'idempotency key (default: a new one per event; with --count, suffixed -1, -2, …)')
    .option('-n, --count <n>', 'send the event this many times (a progress bar shows on a terminal)', intInRange(1, 1_000_000), 1)
    .option('--concurrency <n>', 'sends in flight with --count', intInRange(1, 256), 4)
    .option('--attempts <n>', 'tries per event, retrying network errors, 408, 429 and 5xx', intInRange(1, 100), 5)
    .option('--timeout <ms>', 'time limit of one try', intInRange(1), 10_000)
    .action(async (target: string, opts: SendOpts, cmd: Command) => {
      const { config, out } = context(cmd);
      const payload = readData(opts.data);
      const signing = readSigningKey(opts.key);
      const scheme = opts.scheme ?? signing.scheme ?? 'uptiq';
      const isUrl = /^https?:\/\//i.test(target);
      const url = isUrl ? target : `${config.url}/hooks/${encodeURIComponent(target)}`;
      if (!URL.canParse(url)) throw new CliError(`not a valid URL: ${target}`);

      const sendOne = async (i: number): Promise<Outcome> => {
        const idempotencyKey = opts.idempotencyKey && opts.count > 1 ? `${opts.idempotencyKey}-${i + 1}` : opts.idempotencyKey;
        try {
          const result = await send(url, payload, {
            key: signing.key,
            scheme,
            retries: { attempts: opts.attempts },
            timeoutMs: opts.timeout,
            ...(idempotencyKey ? { idempotencyKey } : {}),
          });
          return outcomeOf(result, url);
        } catch (err) {
          if (err instanceof UnknownSchemeError) throw new CliError(err.message);
          if (!(err instanceof SendError)) throw err;
          const where = isUrl ? url : `Hookflow at ${config.url}`;
          const error = `cannot reach ${where} (${networkReason(err.cause)}, ${err.attempts} attempt${err.attempts === 1 ? '' : 's'})`;
          return {
            ok: false,
            status: null,
            attempts: err.attempts,
            idempotencyKey: err.idempotencyKey,
            deliveryId: null,
            deliveryStatus: null,
            error,
          };
        }
      };

      if (opts.count === 1) {
        const outcome = await sendOne(0);
        if (!outcome.ok) throw new CliError(outcome.error ?? `HTTP ${outcome.status}`);
        out.emit(outcome, () =>
          renderRecord([
            ['http status', outcome.status],
            ['delivery', outcome.deliveryId],
            ['status', outcome.deliveryStatus],
            ['attempts', outcome.attempts],
            ['idempotency key', outcome.idempotencyKey],
          ]),
        );
        return;
      }

      const outcomes: Outcome[] = new Array(opts.count);
      const progress = startProgress(opts.count, 'sending', !out.json && process.stderr.isTTY === true);
      try {
        await pool(opts.count, opts.concurrency, async (i) => {
          outcomes[i] = await sendOne(i);
          progress.tick();
        });
      } finally {
        progress.stop();
      }
      const failed = outcomes.filter((o) => !o.ok);
      const summary = {
        sent: opts.count,
        accepted: outcomes.filter((o) => o.ok && o.deliveryStatus !== 'duplicate').length,
        duplicates: outcomes.filter((o) => o.deliveryStatus === 'duplicate').length,
        failed: failed.length,
        attempts: outcomes.reduce((sum, o) => sum + o.attempts, 0),
      };
      out.emit({ ...summary, results: outcomes }, () => renderRecord(Object.entries(summary)));
      if (failed.length > 0) throw new CliError(`${failed.length} of ${opts.count} events failed; first: ${failed[0]!.error}`);
    });
}
