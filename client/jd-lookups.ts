// Running a read-only JD lookup (workflow jdLookup, `LOOKUP:{uuid}`): one run per API request, on the erp
// queue; its activity runs on the paired eclp queue (rate-limited like every JD call). The caller waits for
// the answer within a deadline. Only the lookup's kind goes into search attributes, no numbers.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import type { JdLookupInput, JdLookupLimits, JdLookupQuery, JdLookupResult } from '../messages/jd-lookup';
import { DocType } from '../messages/search-attributes';

// What the API needs of the lookup contract (it may import client/, not messages/).
export { SERIAL_BILL_TYPES, SERIAL_DOCUMENT_TYPES } from '../messages/jd-lookup';
export type {
  BillSerialItem,
  DocumentSerialItem,
  JdLookupAnswer,
  JdLookupLimits,
  JdLookupQuery,
  JdLookupResult,
  SerialBillTypeCode,
  SerialDocumentType,
} from '../messages/jd-lookup';

/** Production defaults: JD's documented page size, and answers kept far below Temporal's 2 MB payload limit. */
export const JD_LOOKUP_DEFAULTS = { pageSize: 100, maxItems: 20_000, maxBytes: 1_000_000, timeoutMs: 60_000 } as const;

/** The run may outlive the JD deadline by this much (workflow and activity tasks around the JD calls). */
const RUN_MARGIN_MS = 10_000;

export function jdLookupClient(temporal: Client, taskQueues: { erp: string; eclp: string }) {
  return {
    workflowId: workflowIds.jdLookup,

    /** The run's started handle, then its answer; the run ends by itself within `timeoutMs` + a margin. */
    async start(query: JdLookupQuery, options: Partial<JdLookupLimits> & { timeoutMs?: number } = {}) {
      const limits: JdLookupLimits = {
        pageSize: options.pageSize ?? JD_LOOKUP_DEFAULTS.pageSize,
        maxItems: options.maxItems ?? JD_LOOKUP_DEFAULTS.maxItems,
        maxBytes: options.maxBytes ?? JD_LOOKUP_DEFAULTS.maxBytes,
      };
      const timeoutMs = options.timeoutMs ?? JD_LOOKUP_DEFAULTS.timeoutMs;
      const input: JdLookupInput = { query, limits, timeoutMs };
      return temporal.workflow.start<(input: JdLookupInput) => Promise<JdLookupResult>>(WORKFLOW_TYPES.jdLookup, {
        workflowId: workflowIds.jdLookup(randomUUID()),
        taskQueue: taskQueues.erp,
        args: [input],
        workflowExecutionTimeout: timeoutMs + RUN_MARGIN_MS,
        typedSearchAttributes: [{ key: DocType, value: 'LOOKUP' }],
      });
    },

    /** How long the caller should wait for a run's result at most. */
    resultWaitMs: (timeoutMs: number = JD_LOOKUP_DEFAULTS.timeoutMs) => timeoutMs + RUN_MARGIN_MS + 5_000,
  };
}

export type JdLookupClient = ReturnType<typeof jdLookupClient>;
