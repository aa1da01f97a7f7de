/**
 * The BullMQ job id of a delivery's `run-delivery` job: the delivery's own id. So a delivery has at most one job per
 * queue (adding it again while the old one is kept is a no-op), and the job is found, removed or woken from the
 * delivery id alone, without reading it.
 */
export function deliveryJobId(deliveryId: string): string {
  return deliveryId;
}
