/*
 * The layout of a delivery record, said once: one Redis hash per delivery (`keys.delivery(id)`), its scalar fields as
 * strings and its structured ones as JSON, plus one field `step:<id>` per step checkpoint. TypeScript reads and writes
 * the fields through these names, and every Lua script that touches a record has them interpolated into its text, so
 * a field cannot be spelled two ways. Stored records already use exactly these names: renaming one would make existing
 * records read differently.
 */

const names = [
  'id',
  'webhookId',
  'agentId',
  'workflow',
  'status',
  'receivedAt',
  'startedAt',
  'finishedAt',
  'attempts',
  'dedupeKey',
  'replayOf',
  'queue',
  'headers',
  'payload',
  'result',
  'error',
  // The job lock token of the run that holds the delivery (see DeliveryStore.start).
  'runToken',
  // Written once by a cancel and never removed: it wins over `status` (see ended-status-lua.ts).
  'cancelledAt',
  'supersededBy',
  // Flow control per key (see key-slots.ts).
  'concurrencyKey',
  'concurrencyLine',
  'concurrencyLimit',
  'debounceKey',
  'waitingBehind',
  // While it is `waiting` at a wait step: `{ stepId, signal, expiresAt }` (see delivery-signals.ts).
  'waitingFor',
  // The definition version a job's attempts run, and the version counted as held (see DeliveryStore.pinWorkflow).
  'workflowVersion',
  'workflowJob',
  'workflowPinHeld',
] as const;

/** A scalar (non-step) field of a delivery record. */
export type DeliveryField = (typeof names)[number];

/** Every scalar field of a delivery record by its name: `deliveryField.status` is the field `status`. */
export const deliveryField = Object.freeze(Object.fromEntries(names.map((name) => [name, name]))) as { readonly [F in DeliveryField]: F };

/** The fields that hold JSON text (the others are plain strings). */
export const deliveryJsonFields: ReadonlySet<string> = new Set<DeliveryField>(['headers', 'payload', 'result', 'error', 'waitingFor']);

/** What starts the field of every step checkpoint; the rest of the field is the step's id. */
const stepPrefix = 'step:';

/** The field of a step's checkpoint (its `StepRecord` as JSON). */
export const stepField = (stepId: string): string => `${stepPrefix}${stepId}`;

export const isStepField = (field: string): boolean => field.startsWith(stepPrefix);

/** The step id a step checkpoint's field names. */
export const stepIdOf = (field: string): string => field.slice(stepPrefix.length);

/**
 * Lua: `isStepField(field)`, true for a step checkpoint's field, and `stepField(stepId)`, the field of a step's
 * checkpoint: the same as the TypeScript functions of these names.
 */
export const stepFieldLua = `
local function isStepField(field) return string.sub(field, 1, ${stepPrefix.length}) == '${stepPrefix}' end
local function stepField(stepId) return '${stepPrefix}' .. stepId end
`;

/**
 * What is kept per signal name of a `wait` step (see delivery-signals.ts): its deadline (epoch ms), when the one signal
 * taken for it came, and the body of a signal that came before the run parked at its wait.
 */
export type SignalFieldPart = 'deadline' | 'receivedAt' | 'body';

const signalPrefix = 'signal:';

/** The field of one signal's `part`: `signal:<name>:<part>`. */
export const signalField = (signal: string, part: SignalFieldPart): string => `${signalPrefix}${signal}:${part}`;

export const isSignalField = (field: string): boolean => field.startsWith(signalPrefix);

/** Lua: `signalField(name, part)`, the same as the TypeScript function of this name. */
export const signalFieldLua = `
local function signalField(name, part) return '${signalPrefix}' .. name .. ':' .. part end
`;

/** A delivery record as HGETALL returns it: every field optional, typed by its name. */
export type DeliveryHash = { [F in DeliveryField]?: string } & { [step: `${typeof stepPrefix}${string}`]: string };
