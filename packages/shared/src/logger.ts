import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * Field names whose values are secrets. Any of them, at the top of a log object or one level down (for example
 * `headers['x-signature']` or `key.privateKey`), is replaced by "[redacted]".
 */
export const secretFieldNames = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-signature',
  'x-hub-signature-256',
  'x-hub-signature',
  'stripe-signature',
  'x-slack-signature',
  'x-shopify-hmac-sha256',
  'webhook-signature',
  'privateKey',
  'secret',
  'secrets',
  'token',
  'adminToken',
  'readonlyToken',
  'masterKey',
  'password',
  'apiKey',
];

const redactPaths = secretFieldNames.flatMap((name) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`;
  return [key.startsWith('.') ? name : `${key}`, `*${key}`, `*.*${key}`];
});

export interface LoggerOptions {
  /** Component name shown on every line (`ingress`, `worker`, ...). */
  name: string;
  /** pino level; default `info`. */
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
