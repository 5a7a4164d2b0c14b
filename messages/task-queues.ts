// Two task queues so JD traffic can be rate-limited on its own (DESIGN.md §4): `eclp` workers carry the
// global `maxTaskQueueActivitiesPerSecond`, while database work on `erp` is never held back by JD's quota.
export const TASK_QUEUES = { erp: 'erp', eclp: 'eclp' } as const;

/**
 * A pair of queues under a prefix (`t1/erp`, `t1/eclp`): tests and side-by-side deployments get their own
 * pair, and a workflow finds its JD queue from the queue it runs on, so no input has to carry it.
 */
export function taskQueues(prefix?: string): { erp: string; eclp: string } {
  return prefix ? { erp: `${prefix}/erp`, eclp: `${prefix}/eclp` } : { ...TASK_QUEUES };
}

/** The JD queue paired with a workflow's own (erp) queue. */
export function eclpQueueOf(erpQueue: string): string {
  return erpQueue === TASK_QUEUES.erp ? TASK_QUEUES.eclp : erpQueue.replace(/\/erp$/, '/eclp');
}
