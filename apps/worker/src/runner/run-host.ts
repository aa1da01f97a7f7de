import { signalUrl, type DeliverySignals, type RecordStore, type SignalTokens, type StepRecord, type StoreOptions } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';
import type { OutboundSecrets } from '../steps/outbound-secrets.js';
import { applyStore, checkStoreTarget } from '../steps/store-record.js';
import { assertOutputFits, type Checkpoints } from './checkpoints.js';

/** A `store` step's write, as a run asks for it: the record change and the checkpoint it commits with. */
export interface StoreWrite {
  agentId: string;
  deliveryId: string;
  options: StoreOptions;
  /** The step's `succeeded` record without its output and finish time, which the write fills in. */
  step: Pick<StepRecord, 'id' | 'type' | 'attempts' | 'startedAt'>;
}

/**
 * What a run asks of the worker process: every Redis write and every secret. A run in a thread reaches it over a
 * MessagePort (run-rpc.ts), so the thread never holds a Redis connection or the master key, and a store effect and
 * its checkpoint still commit together, in one MULTI from the worker.
 */
export interface RunHost {
  /** Saves a step record (JSON) unless the step already finished; then returns the finished record's JSON. */
  checkpoint(deliveryId: string, stepId: string, recordJson: string): Promise<string | null>;
  /** Applies a `store` step and commits its checkpoint with it; the step's output (the record). */
  store(write: StoreWrite): Promise<unknown>;
  /** The agent's secrets for signing `notify` calls: the current one, and during a rotation's grace the previous. */
  signingSecrets(agentId: string): Promise<string[]>;
  /**
   * The deadline (ISO) of the delivery's wait on `signal`, fixed now (`now + timeoutMs`) if it was not yet, and the
   * body (JSON text) of a signal that already came for it.
   */
  waitDeadline(deliveryId: string, signal: string, timeoutMs: number): Promise<{ expiresAt: string; earlyBodyJson: string | null }>;
  /** The signed link that resumes the delivery's wait on `signal`, and its deadline (fixed as `waitDeadline` does). */
  signalLink(deliveryId: string, signal: string, timeoutMs: number): Promise<{ url: string; expiresAt: string }>;
}

export interface RunHostDeps {
  checkpoints: Checkpoints;
  records: RecordStore;
  outboundSecrets: OutboundSecrets;
  /** `HOOKFLOW_MAX_STEP_OUTPUT_BYTES`: a `store` step's checkpoint holds its record, so the record is bounded too. */
  maxStepOutputBytes: number;
  now: () => Date;
  /** The signal state of waits on delivery records. */
  signals: DeliverySignals;
  /** What signs signal links and where they point; without it (no `HOOKFLOW_MASTER_KEY`) rendering a link fails clearly. */
  signalLinks?: SignalLinks;
}

/** The key signal links are signed with and `HOOKFLOW_PUBLIC_URL`, their base. */
export interface SignalLinks {
  tokens: SignalTokens;
  publicUrl: string;
}

export function createRunHost({
  checkpoints,
  records,
  outboundSecrets,
  maxStepOutputBytes,
  now,
  signals,
  signalLinks,
}: RunHostDeps): RunHost {
  const deadline = async (deliveryId: string, signal: string, timeoutMs: number) => {
    const fixed = await signals.deadline(deliveryId, signal, timeoutMs, now());
    if (!fixed) throw new WorkflowError('delivery_gone', `the record of delivery ${deliveryId} is gone`, false);
    return fixed;
  };
  return {
    checkpoint: (deliveryId, stepId, recordJson) => checkpoints.save(deliveryId, stepId, recordJson),
    store: async ({ agentId, deliveryId, options, step }) => {
      checkStoreTarget(options);
      // The record write and the step's checkpoint commit together, or neither does.
      const result = await records.writeCheckpointed({
        agentId,
        collection: options.collection,
        key: options.key,
        apply: (current) => applyStore(current, options),
        deliveryId,
        stepId: step.id,
        // An oversized record is refused here, before the MULTI: neither it nor the checkpoint is written.
        checkpoint: (record) => {
          const json = JSON.stringify({
            ...step,
            status: 'succeeded',
            finishedAt: now().toISOString(),
            output: record ?? null,
          } satisfies StepRecord);
          assertOutputFits(json, maxStepOutputBytes, `the output of step ${step.id}`);
          return json;
        },
      });
      return result.outcome === 'written' ? result.record : (JSON.parse(result.checkpoint) as { output: unknown }).output;
    },
    signingSecrets: (agentId) => outboundSecrets.signingSecrets(agentId),
    waitDeadline: async (deliveryId, signal, timeoutMs) => {
      const { expiresAt, earlyBodyJson } = await deadline(deliveryId, signal, timeoutMs);
      return { expiresAt: expiresAt.toISOString(), earlyBodyJson };
    },
    signalLink: async (deliveryId, signal, timeoutMs) => {
      if (!signalLinks)
        throw new WorkflowError('signals_unconfigured', 'signal links need HOOKFLOW_MASTER_KEY on the worker to sign them', false);
      const { expiresAt } = await deadline(deliveryId, signal, timeoutMs);
      return {
        url: signalUrl(signalLinks.publicUrl, signalLinks.tokens.make({ deliveryId, signal, expiresAt })),
        expiresAt: expiresAt.toISOString(),
      };
    },
  };
}
