/** A page of a list: how many, and where the previous page ended (a cursor this API returned). */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** Forgets what this process cached of a webhook, so the next request reads it again. */
export interface WebhookChangeListener {
  invalidate(webhookId: string): void;
}
