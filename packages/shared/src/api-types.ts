/**
 * The admin API's JSON shapes, as types only: the web console imports this entry (`@hookflow/shared/api-types`) so
 * it shares the contract's types without bundling any server code.
 */
export type { Agent, WebhookKeyMeta, WebhookRecord, WebhookStatus } from './registry/types.js';
export type { Delivery, DeliveryError, DeliveryStatus, StepRecord } from './deliveries/types.js';
export type { WorkflowSummary } from './workflows/catalog.js';
export type { FieldError } from './errors/problem.js';
