// The API's `/metrics` (Prometheus text format): the documents still open per status and warehouse and
// the age of the oldest per status, read from Postgres at scrape time, plus this process's CPU, memory
// and event loop. The gauges are here, not on the workers: every API replica reads the same answer, and
// a dashboard takes `max` across replicas (docs/operations.md). The counters of what the sagas do live
// on the workers (worker/metrics.ts).
//
// Behind a token (roles operator and admin), unlike /healthz: the figures are the merchant's order
// volumes per warehouse, and this port is the one the ERP reaches, possibly across networks. Prometheus
// sends a bearer token natively (`authorization: { credentials_file: … }` in the scrape config).
import type { Knex } from 'knex';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { positiveMs, type Env } from '../config/env';
import { openDocumentGroups, OPEN_STATUSES, type OpenDocumentGroup } from '../db/metrics';
import { route, type RouteSpec } from './route';

const PREFIX = 'eclp_bridge_';

/** METRICS_DB_CACHE_MS: how long a scrape reuses the open-document counts (default 5 s; tests set less). */
export function metricsCacheMsFromEnv(env: Env): number {
  return positiveMs(env, 'METRICS_DB_CACHE_MS', 5_000);
}

export interface ApiMetricsOptions {
  db: Knex;
  /** A scrape reuses the Postgres answer this long (several Prometheus servers, a dashboard refresh). */
  cacheMs?: number;
  /** CPU, memory, event loop of this process; default on. */
  processMetrics?: boolean;
}

export interface ApiMetrics {
  registry: Registry;
}

/** Registry and gauges of one API instance (never prom-client's global registry: tests build many apps in one process). */
export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const cacheMs = options.cacheMs ?? 5_000;
  let snapshot: { at: number; groups: Promise<OpenDocumentGroup[]> } | undefined;
  /** One query per cache period, shared by the gauges of one scrape and by concurrent scrapes. */
  const groups = (): Promise<OpenDocumentGroup[]> => {
    if (!snapshot || Date.now() - snapshot.at >= cacheMs) {
      const read = openDocumentGroups(options.db);
      snapshot = { at: Date.now(), groups: read };
      // A failed read is not cached: the next scrape asks again.
      read.catch(() => {
        if (snapshot?.groups === read) snapshot = undefined;
      });
    }
    return snapshot.groups;
  };

  // Each gauge collects for itself (prom-client reads them in parallel); they share one read through `groups`.
  new Gauge({
    name: `${PREFIX}database_up`,
    help: '1 when this scrape could read the open documents from Postgres, else 0 (the document gauges then keep no series).',
    registers: [registry],
    async collect() {
      this.set(await groups().then(
        () => 1,
        () => 0,
      ));
    },
  });
  // Series once seen stay, at 0, when their last document leaves the status: a graph falls to 0 instead of stopping.
  const seenOpen = new Map<string, { doc_type: string; status: string; warehouse: string }>();
  new Gauge({
    name: `${PREFIX}open_documents`,
    help: 'Documents in an open status (not yet shipped, received, rejected or cancelled; FAILED counts: it waits for an operator), by document type, status and ERP warehouse code.',
    labelNames: ['doc_type', 'status', 'warehouse'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      let read: OpenDocumentGroup[];
      try {
        read = await groups();
      } catch {
        return;
      }
      for (const labels of seenOpen.values()) this.set(labels, 0);
      for (const g of read) {
        const labels = { doc_type: g.docType, status: g.status, warehouse: g.warehouseCode };
        seenOpen.set(JSON.stringify(labels), labels);
        this.set(labels, g.count);
      }
    },
  });
  new Gauge({
    name: `${PREFIX}oldest_open_document_age_seconds`,
    help: 'How long the oldest document in each open status has been in it (0 when none is), by document type and status.',
    labelNames: ['doc_type', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      let read: OpenDocumentGroup[];
      try {
        read = await groups();
      } catch {
        return;
      }
      for (const [docType, statuses] of Object.entries(OPEN_STATUSES)) for (const status of statuses) this.set({ doc_type: docType, status }, 0);
      // Rows are per warehouse: the status's oldest is the oldest of its warehouses'.
      const oldest = new Map<string, { labels: { doc_type: string; status: string }; age: number }>();
      for (const g of read) {
        const key = `${g.docType}/${g.status}`;
        const seen = oldest.get(key);
        if (!seen || g.oldestAgeSeconds > seen.age) oldest.set(key, { labels: { doc_type: g.docType, status: g.status }, age: g.oldestAgeSeconds });
      }
      for (const { labels, age } of oldest.values()) this.set(labels, age);
    },
  });
  return { registry };
}

/**
 * `GET /metrics`. The registry is built at the first scrape: an API instance nobody scrapes (tests build
 * many) sets up no collectors.
 */
export function metricsRoutes(options: ApiMetricsOptions): RouteSpec[] {
  let metrics: ApiMetrics | undefined;
  return [
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this API process: open documents per status and warehouse, the oldest per status, process figures',
      tag: 'ops',
      roles: ['operator'],
      responses: { 200: { description: 'Prometheus text format 0.0.4' } },
      handler: async ({ res }) => {
        metrics ??= createApiMetrics(options);
        const text = await metrics.registry.metrics();
        // Text, not JSON: answered here; the route kit then only sets the status of a response already sent.
        res.status(200).type(metrics.registry.contentType).send(text);
        return { status: 200 };
      },
    }),
  ];
}
