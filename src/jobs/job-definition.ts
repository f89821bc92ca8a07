import { SetMetadata } from '@nestjs/common';

/**
 * A kind of background work, declared once: its name (also its queue's name), how often
 * to try it and how long to wait between tries, and how many run at once per worker.
 * The payload type travels with the definition, so enqueueing is type-checked.
 */
export interface JobDefinition<Payload> {
  readonly name: string;
  readonly attempts: number;
  readonly backoff: { type: 'exponential' | 'fixed'; delayMs: number };
  readonly concurrency: number;
  /** Phantom field: carries the payload type, never set. */
  readonly payload?: Payload;
}

const JOB_NAME = /^[a-z][a-z0-9-]{1,62}$/;

export function defineJob<Payload>(definition: {
  name: string;
  attempts?: number;
  backoff?: { type: 'exponential' | 'fixed'; delayMs: number };
  concurrency?: number;
}): JobDefinition<Payload> {
  if (!JOB_NAME.test(definition.name)) {
    throw new Error(`Job name "${definition.name}" must be lower-case letters, digits and dashes.`);
  }
  return {
    name: definition.name,
    attempts: definition.attempts ?? 5,
    backoff: definition.backoff ?? { type: 'exponential', delayMs: 5_000 },
    concurrency: definition.concurrency ?? 5,
  };
}

export interface JobContext {
  /** The outbox id: the same for every attempt, so handlers can make work idempotent. */
  jobId: string;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
}

/** Handles one kind of job. It may run more than once for the same job: make it idempotent. */
export interface JobHandler<Payload> {
  handle(payload: Payload, context: JobContext): Promise<void>;
}

/**
 * Thrown by a handler when trying again cannot help (a refused address, a deleted
 * object): the job fails at once and is recorded as failed, without more attempts.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export const JOB_HANDLER_METADATA = 'finch:job-handler';

/** Marks a provider as the handler of `definition`'s jobs; the workers discover it. */
export const HandlesJob = (definition: JobDefinition<unknown>): ClassDecorator =>
  SetMetadata(JOB_HANDLER_METADATA, definition);
