/** `send` never got an HTTP answer (connection refused, reset, DNS, timeout) after every allowed attempt. */
export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    message: string,
    readonly attempts: number,
    readonly idempotencyKey: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
