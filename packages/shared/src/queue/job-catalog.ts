import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

/**
 * Every job Hookflow puts on a queue: its name, the schema of its data and its default options. Producers and
 * workers both read this catalogue, so a job's shape is defined once.
 */
export const jobCatalog = {
  /** Run the workflow of one stored delivery. The job carries only the id: the delivery record is the truth. */
  'run-delivery': {
    schema: z.object({ deliveryId: z.string() }),
    options: {
      // Delivery records are the log; finished jobs need not be kept in the queue for long.
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  },
} satisfies Record<string, { schema: z.ZodType; options: JobsOptions }>;

export type JobName = keyof typeof jobCatalog;
export type JobData<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;
