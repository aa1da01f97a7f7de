import { deliveryField } from './delivery-fields.js';

/**
 * A Lua function for the scripts that change a delivery record: `endedStatus(key)` is the status that ends the
 * delivery for good (`succeeded`, `failed`, `cancelled`, `superseded`), or nil while it may still run. The
 * `cancelledAt` field wins over `status`: it is written once, by the cancel, and nothing removes it, so a writer that
 * read the record before the cancel and rewrote `status` afterwards (a release of held deliveries) cannot revive it.
 */
export const endedStatusLua = `
local function endedStatus(key)
  if redis.call('HEXISTS', key, '${deliveryField.cancelledAt}') == 1 then return 'cancelled' end
  local status = redis.call('HGET', key, '${deliveryField.status}')
  if status == 'succeeded' or status == 'failed' or status == 'cancelled' or status == 'superseded' then return status end
  return nil
end
`;

/** The statuses `endedStatus` reports: a delivery in one of them never runs again. */
export const endedStatuses: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'superseded']);
