/** Thrown by `sign`/`send` for a scheme name the SDK does not know (a programming error, not a network failure). */
export class UnknownSchemeError extends Error {
  override readonly name = 'UnknownSchemeError';
  constructor(
    readonly scheme: string,
    readonly known: readonly string[],
  ) {
    super(`unknown signature scheme "${scheme}" (known: ${known.join(', ')})`);
  }
}
