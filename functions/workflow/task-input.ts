import * as z from 'zod';

/** What the case-lifecycle state machine sends to its task handler (see statemachines/case-lifecycle.asl.json). */
const caseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/);

export const workflowTaskInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('loadCase'), caseId }),
  z.object({
    action: z.literal('awaitStep'),
    caseId,
    taskToken: z.string().min(1).max(2048),
    // As TimeoutSecondsPath read it: AWS accepts 1..99999999.
    sleepSeconds: z.number().int().min(1).max(99_999_999),
    executionStartedAt: z.iso.datetime(),
  }),
  z.object({
    action: z.literal('tick'),
    caseId,
    execution: z.object({ name: z.string().min(1).max(80), startedAt: z.iso.datetime() }),
  }),
  z.object({
    action: z.literal('markAttention'),
    caseId,
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).catchall(z.unknown()),
  }),
]);

export type WorkflowTaskInput = z.infer<typeof workflowTaskInput>;
