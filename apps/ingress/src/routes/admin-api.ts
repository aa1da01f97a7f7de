import type { Domain } from '../domain/index.js';
import { agentRoutes } from './agents.js';
import { deliveryRoutes } from './deliveries.js';
import type { EndpointRouter } from './endpoint.js';
import { keyRoutes } from './keys.js';
import { queueRoutes } from './queues.js';
import { recordRoutes } from './records.js';
import { signalRoutes } from './signals.js';
import { testEventRoutes } from './test-events.js';
import { webhookRoutes } from './webhooks.js';
import { workflowRoutes } from './workflows.js';

/** The admin API under `/api/v1`: each resource's routes, given only the services they call. */
export function adminApiRoutes(domain: Domain): EndpointRouter[] {
  return [
    agentRoutes({ agents: domain.agents, outboundSecrets: domain.outboundSecrets }),
    webhookRoutes({ webhooks: domain.webhooks }),
    keyRoutes({ keys: domain.keys }),
    workflowRoutes({ workflows: domain.workflows }),
    recordRoutes({ records: domain.records }),
    deliveryRoutes({ deliveries: domain.deliveries }),
    queueRoutes({ queues: domain.queues }),
    testEventRoutes({ testEvents: domain.testEvents }),
    signalRoutes({ signals: domain.signals }),
  ];
}
