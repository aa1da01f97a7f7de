/**
 * Values loaded at most once per `ttlMs` per key: for data the hot paths read on every request or job and that
 * changes rarely (workflow definitions, webhook options), where being up to `ttlMs` late is acceptable. Bounded:
 * past `maxEntries` it starts over rather than growing without end.
 */
export class ShortLivedCache<V> {
  readonly #entries = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, { at: this.now(), value });
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
