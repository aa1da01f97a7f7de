/** Every status a delivery may have, in the order of API.md (§3 Deliveries and §5.2). */
export const deliveryStatuses = [
  'held',
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'waiting',
  'superseded',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
