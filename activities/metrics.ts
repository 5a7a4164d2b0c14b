// What the activities tell the worker's metrics (worker/metrics.ts serves them as Prometheus counters).
// An interface, not prom-client: activities stay free of a metrics library, each worker (and each test
// stack) passes its own registry's implementation, and code that passes none counts nothing.

/** Document kinds as metric labels (not the operation log's doc_type, which differs per table). */
export type MetricDocType = 'sales_order' | 'purchase_order' | 'return';

export interface ActivityMetrics {
  /**
   * A saga recorded its document's move into `status`. Called once the write has committed; a retry that
   * finds its write already done (an attempt whose answer was lost) may count the move a second time.
   */
  documentEntered(docType: MetricDocType, status: string): void;
  /** A cancel/close/link request's verdict was recorded (`kind`: send-back, refund, cancel, …). */
  cancelDecided(docType: MetricDocType, kind: string, verdict: string): void;
  /** The ERP's webhook receiver accepted an event (2xx). */
  webhookDelivered(eventType: string): void;
  /**
   * One delivery attempt failed: `reason` is the failure type (WebhookUnreachable, WebhookRejected, …),
   * `final` when the attempt will not be retried (the receiver refused the event).
   */
  webhookFailed(eventType: string, reason: string, final: boolean): void;
  /** The workflow's retries ran out: the event waits for an operator's redelivery. */
  webhookGaveUp(): void;
}

export const NO_ACTIVITY_METRICS: ActivityMetrics = {
  documentEntered: () => undefined,
  cancelDecided: () => undefined,
  webhookDelivered: () => undefined,
  webhookFailed: () => undefined,
  webhookGaveUp: () => undefined,
};

/** A cancel decision moves the document when the status it leaves it in is not the one the run saw. */
export function countDecision(
  metrics: ActivityMetrics,
  docType: MetricDocType,
  kind: string,
  decision: { verdict: string; status: string; from?: string | undefined },
): void {
  metrics.cancelDecided(docType, kind, decision.verdict);
  if (decision.from !== undefined && decision.from !== decision.status) metrics.documentEntered(docType, decision.status);
}
