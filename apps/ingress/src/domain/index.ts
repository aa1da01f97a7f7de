import type { AgentStore } from '@hookflow/shared';
import type { Services } from '../services.js';
import type { QueueOverview } from '../queues/queue-overview.js';
import { DeliveryService } from './deliveries.js';
import { KeyService } from './keys.js';
import { OutboundSecretService } from './outbound-secrets.js';
import { RecordService } from './records.js';
import { SignalService } from './signals.js';
import { TestEventService } from './test-events.js';
import { WebhookService } from './webhooks.js';
import { WorkflowService } from './workflows.js';

/**
 * What the admin API does, one service per resource. Routes parse a request, call one method and answer with its
 * result; a refusal is a `ProblemError` naming its code from the problem catalogue.
 */
export interface Domain {
  /** Agents have no rule beyond their store's (an agent with webhooks cannot be deleted), so the store serves them. */
  agents: AgentStore;
  outboundSecrets: OutboundSecretService;
  webhooks: WebhookService;
  keys: KeyService;
  workflows: WorkflowService;
  deliveries: DeliveryService;
  records: RecordService;
  testEvents: TestEventService;
  /** Signals of wait steps: through their signed links, or by an admin. */
  signals: SignalService;
  /** Read-only counts, served as they are read. */
  queues: QueueOverview;
}

type DomainDeps = Pick<
  Services,
  | 'config'
  | 'agents'
  | 'webhooks'
  | 'keyStore'
  | 'outboundSecrets'
  | 'deliveries'
  | 'catalog'
  | 'records'
  | 'cache'
  | 'deliveryLog'
  | 'queueOverview'
  | 'now'
  | 'signals'
>;

export function createDomain(services: DomainDeps): Domain {
  const { config, agents, webhooks, keyStore, catalog, cache, deliveryLog } = services;
  return {
    agents,
    outboundSecrets: new OutboundSecretService({ agents, secrets: services.outboundSecrets }),
    webhooks: new WebhookService({ agents, webhooks, keyStore, catalog, cache, deliveryLog, publicUrl: config.publicUrl }),
    keys: new KeyService({ webhooks, keyStore, cache, publicUrl: config.publicUrl }),
    workflows: new WorkflowService(catalog),
    deliveries: new DeliveryService({ deliveries: services.deliveries, deliveryLog }),
    records: new RecordService({ agents, records: services.records }),
    testEvents: new TestEventService({ webhooks, keyStore, catalog, now: services.now }),
    signals: new SignalService(services.signals),
    queues: services.queueOverview,
  };
}
