import type { StoreOptions } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

/** The new value of a record: `set` merged over the current value, then `increment` added. Pure, so it can rerun on a conflict. */
export function applyStore(current: Record<string, unknown> | null, options: StoreOptions): Record<string, unknown> {
  const value: Record<string, unknown> = { ...(current ?? {}), ...(options.set ?? {}) };
  for (const [field, raw] of Object.entries(options.increment ?? {})) {
    const by = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof by !== 'number' || !Number.isFinite(by))
      throw new WorkflowError('store_invalid', `increment of ${field} is not a number`, false);
    const before = value[field] ?? 0;
    if (typeof before !== 'number')
      throw new WorkflowError('store_invalid', `field ${field} of ${options.collection}/${options.key} is not a number`, false);
    value[field] = before + by;
  }
  return value;
}

export function checkStoreTarget(options: StoreOptions): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.collection))
    throw new WorkflowError('store_invalid', 'collection must be 1-64 letters, digits, _ or -', false);
  if (typeof options.key !== 'string' || options.key === '' || options.key.length > 512)
    throw new WorkflowError('store_invalid', 'key must be a string of 1-512 characters', false);
}
