// The worker's `/metrics` (Prometheus text format): ours from a prom-client registry, plus the Temporal
// SDK's runtime metrics (task-slot use, poll and schedule-to-start latencies, sticky cache, …) that SDK
// Core exports on a loopback port of its own. One URL per worker, so a scrape config needs one target:
// each scrape fetches the SDK's text and appends it to ours (their names never clash: `temporal_*` from
// the SDK, `eclp_bridge_*`, `process_*` and `nodejs_*` from us).
//
// The registry belongs to one WorkerMetrics (one per process, one per test stack), never prom-client's
// global one, so two stacks in one process do not count into each other.
import http from 'node:http';
import net from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ActivityMetrics, MetricDocType } from '../activities/metrics';
import { ConfigurationError } from '../config/errors';
import type { EclpCallLog } from '../eclp';

export const METRIC_PREFIX = 'eclp_bridge_';

/** Every status a saga records, per document kind: their counters start at 0, so `increase()` sees the first move. */
const SAGA_STATUSES: Record<MetricDocType, readonly string[]> = {
  sales_order: ['WMS_PICKING', 'SHIPPED', 'FAILED', 'REVIEW', 'CANCELLED', 'HELD'],
  purchase_order: ['PUSHING', 'WAITING_INBOUND', 'PUSH_UNCONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'FAILED', 'CANCELLED'],
  return: ['WAITING_INBOUND', 'RECEIVED', 'REJECTED', 'CANCELLED', 'FAILED'],
};

/** JD answers in tens to hundreds of ms; ECLP_TIMEOUT_MS (default 10 s) ends a call that hangs. */
const JD_LATENCY_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface WorkerMetrics {
  registry: Registry;
  /** What the activities count (createWorkers passes it to both activity factories). */
  activities: ActivityMetrics;
  /** The ECLP client's `callObserver`: one call per request sent to JD. */
  observeEclpCall(call: EclpCallLog): void;
}

export function createWorkerMetrics(options: { processMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  // CPU, memory, event-loop lag and GC of this process; tests that count one stack's work can leave them out.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const documentsEntered = new Counter({
    name: `${METRIC_PREFIX}documents_entered_status_total`,
    help: 'Documents a saga moved into a status, by document type and status (counted when the write has committed).',
    labelNames: ['doc_type', 'status'] as const,
    registers,
  });
  for (const [docType, statuses] of Object.entries(SAGA_STATUSES)) for (const status of statuses) documentsEntered.inc({ doc_type: docType, status }, 0);

  const cancelVerdicts = new Counter({
    name: `${METRIC_PREFIX}cancel_verdicts_total`,
    help: 'Cancel, send-back, refund, close and link requests decided by a saga, by document type, request kind and verdict.',
    labelNames: ['doc_type', 'kind', 'verdict'] as const,
    registers,
  });
  const jdCalls = new Counter({
    name: `${METRIC_PREFIX}jd_calls_total`,
    help: 'Requests sent to the JD ECLP gateway, by JD method and outcome (ok, business, validation, transport, backend-busy, quota, configuration).',
    labelNames: ['method', 'outcome'] as const,
    registers,
  });
  const jdLatency = new Histogram({
    name: `${METRIC_PREFIX}jd_call_duration_seconds`,
    help: 'Time from sending a request to JD to its answer (or the client timeout), by JD method.',
    labelNames: ['method'] as const,
    buckets: JD_LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const jdQuotaHits = new Counter({
    name: `${METRIC_PREFIX}jd_quota_hits_total`,
    help: 'JD refused a request for the app\'s call quota (error code 2, "App Call Limited"), by JD method.',
    labelNames: ['method'] as const,
    registers,
  });
  const webhookDeliveries = new Counter({
    name: `${METRIC_PREFIX}webhook_deliveries_total`,
    help: 'ERP webhook events the receiver accepted (2xx), by event type.',
    labelNames: ['event_type'] as const,
    registers,
  });
  const webhookFailures = new Counter({
    name: `${METRIC_PREFIX}webhook_failures_total`,
    help: 'Failed ERP webhook delivery attempts, by event type, failure type and whether the attempt is final (not retried).',
    labelNames: ['event_type', 'reason', 'final'] as const,
    registers,
  });
  const webhookGaveUp = new Counter({
    name: `${METRIC_PREFIX}webhook_gave_up_total`,
    help: 'ERP webhook events whose retries ran out; they wait for POST /v1/webhooks/{eventId}/redeliver.',
    registers,
  });
  webhookGaveUp.inc(0);

  return {
    registry,
    activities: {
      documentEntered: (docType, status) => documentsEntered.inc({ doc_type: docType, status }),
      cancelDecided: (docType, kind, verdict) => cancelVerdicts.inc({ doc_type: docType, kind, verdict }),
      webhookDelivered: (eventType) => webhookDeliveries.inc({ event_type: eventType }),
      webhookFailed: (eventType, reason, final) => webhookFailures.inc({ event_type: eventType, reason, final: String(final) }),
      webhookGaveUp: () => webhookGaveUp.inc(),
    },
    observeEclpCall(call) {
      jdCalls.inc({ method: call.eclpMethod, outcome: call.outcome });
      jdLatency.observe({ method: call.eclpMethod }, call.durationMs / 1000);
      if (call.outcome === 'quota') jdQuotaHits.inc({ method: call.eclpMethod });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Serving

/** The default port: the one Prometheus' own docs and exporters use for a process's metrics. */
export const DEFAULT_WORKER_METRICS_PORT = 9464;

/**
 * WORKER_METRICS_PORT (default 9464; `0` any free port; `off` none) and WORKER_METRICS_HOST (default
 * 127.0.0.1). Undefined when metrics are off.
 */
export function workerMetricsConfigFromEnv(env: NodeJS.ProcessEnv): { host: string; port: number } | undefined {
  const raw = env.WORKER_METRICS_PORT?.trim();
  if (raw === 'off') return undefined;
  const port = raw ? Number(raw) : DEFAULT_WORKER_METRICS_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError([`WORKER_METRICS_PORT must be a port number (0 for any free port) or "off", got "${raw}"`]);
  }
  return { host: env.WORKER_METRICS_HOST?.trim() || '127.0.0.1', port };
}

export interface WorkerMetricsServerOptions {
  metrics: WorkerMetrics;
  /** WORKER_METRICS_HOST: loopback by default, like the API; `0.0.0.0` where Prometheus scrapes from another host. */
  host: string;
  /** WORKER_METRICS_PORT; 0 lets the OS choose (tests, several workers on one machine). */
  port: number;
  /** The SDK Core exporter's `/metrics` on loopback; left out, only ours is served. */
  sdkMetricsUrl?: string;
  /** How long a scrape waits for the SDK's text before serving ours alone. */
  sdkTimeoutMs?: number;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** `GET /metrics`: ours, then the SDK's. When the SDK's exporter does not answer, ours is still served, with a comment saying so. */
export async function serveWorkerMetrics(options: WorkerMetricsServerOptions): Promise<WorkerMetricsServer> {
  const { registry } = options.metrics;
  const sdkTimeoutMs = options.sdkTimeoutMs ?? 2_000;
  const sdkText = async (): Promise<string> => {
    if (!options.sdkMetricsUrl) return '';
    try {
      const response = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(sdkTimeoutMs) });
      if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
      return await response.text();
    } catch (err) {
      return `# Temporal SDK metrics unavailable: ${(err as Error).message}\n`;
    }
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here\n');
      return;
    }
    Promise.all([registry.metrics(), sdkText()])
      .then(([ours, sdk]) => {
        const text = sdk === '' ? ours : `${ours.endsWith('\n') ? ours : `${ours}\n`}${sdk}`;
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      })
      .catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${(err as Error).message}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A loopback port for the SDK Core exporter, which only this process reads: the OS picks it for a probe
 * that is closed at once. Core binds it a moment later; were it taken meanwhile, Runtime.install fails
 * and the worker is restarted like after any start-up failure.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
