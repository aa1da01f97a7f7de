/**
 * Every Redis key Hookflow uses, in one place. All of them (and BullMQ's, whose prefix is `bullPrefix`) carry the
 * same hash tag `{<prefix>}`, so on Redis Cluster they live in one slot and multi-key commands, MULTI and Lua work.
 * The price is that one installation's keys sit on one master: Cluster gives failover, not write sharding.
 */
export function createKeys(prefix: string) {
  const p = `{${prefix}}`;
  return {
    prefix,
    /** BullMQ's `prefix` option; queue keys become `{prefix}:<queue>:...`. */
    bullPrefix: p,
    /** Pattern matching every key of this installation (for tests and cleanup). */
    all: `${p}:*`,
    /** Pub/sub channel telling ingress replicas which cached webhook changed. */
    webhookChanges: `${p}:events:webhook-changed`,
    /** Pub/sub channel naming each delivery an admin cancelled, so the worker running it stops at once. */
    deliveryCancels: `${p}:events:delivery-cancelled`,
    /**
     * Pub/sub channel naming parked deliveries (`<queue>\n<id>`) whose concurrency key slot just freed. Its name is
     * also derived inside the key-slot scripts (key-slots.ts), from the record key: keep the two in step.
     */
    keySlotFreed: `${p}:events:key-slot-freed`,
    /** Set of the deliveries parked behind their concurrency key (the waiting gauge); derived in key-slots.ts too. */
    keyParked: `${p}:flow:parked`,
    /** List, in arrival order, of the open deliveries of one concurrency key; the first `limit` hold its slots. */
    keyLine: (scope: string) => `${p}:flow:line:${scope}`,
    /** Hash `{ latest, firstAt }` of one debounce key: the delivery that would run and when its burst began. */
    debounceState: (scope: string) => `${p}:flow:debounce:${scope}`,
    agents: `${p}:agents`,
    agent: (agentId: string) => `${p}:agent:${agentId}`,
    agentWebhooks: (agentId: string) => `${p}:agent:${agentId}:webhooks`,
    /** Sorted set (by creation time) of the same ids as `agentWebhooks`: the order the webhook list is paged in. */
    agentWebhookOrder: (agentId: string) => `${p}:agent:${agentId}:webhooks-by-time`,
    webhook: (webhookId: string) => `${p}:webhook:${webhookId}`,
    webhookKeys: (webhookId: string) => `${p}:webhook:${webhookId}:keys`,
    webhookDeliveries: (webhookId: string) => `${p}:webhook:${webhookId}:deliveries`,
    delivery: (deliveryId: string) => `${p}:delivery:${deliveryId}`,
    dedupe: (webhookId: string, keyHash: string) => `${p}:dedupe:${webhookId}:${keyHash}`,
    rateLimit: (webhookId: string) => `${p}:ratelimit:${webhookId}`,
    workflows: `${p}:workflows`,
    workflowBindings: (workflow: string) => `${p}:workflow:${workflow}:webhooks`,
    /** Hash version → definition JSON of one workflow; `workflows` maps each name to its current version's metadata. */
    workflowVersions: (workflow: string) => `${p}:workflow:${workflow}:versions`,
    /** Hash version → unfinished deliveries pinned to it: versions still pinned are kept when old ones are pruned. */
    workflowPinCounts: (workflow: string) => `${p}:workflow:${workflow}:pinned`,
    /** One agent record (JSON) written by `store` steps. */
    record: (agentId: string, collection: string, key: string) => `${p}:agent:${agentId}:record:${collection}:${key}`,
    /** Sorted set (by update time) of the keys of one agent's collection. */
    records: (agentId: string, collection: string) => `${p}:agent:${agentId}:records:${collection}`,
    /** The agent's outbound signing secret (sealed) for `notify` steps. */
    agentOutboundSecret: (agentId: string) => `${p}:agent:${agentId}:outbound-secret`,
    /** The secret a rotation replaced (sealed), kept signing alongside until its TTL (the grace) ends. */
    agentPreviousOutboundSecret: (agentId: string) => `${p}:agent:${agentId}:outbound-secret:previous`,
    /** A web-console session, by the SHA-256 of its cookie value (so a copy of Redis holds no usable cookie). */
    consoleSession: (sessionHash: string) => `${p}:console-session:${sessionHash}`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
