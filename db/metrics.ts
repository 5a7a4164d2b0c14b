// What the `/metrics` gauges read from Postgres at scrape time: how many documents are open per status
// and warehouse, and since when the oldest of them has been in its status. One query over the three
// document tables, each filtered on its open statuses (an index on status leads every table), grouped
// before anything leaves the server: the answer is a few dozen rows however many documents there are.
import type { Knex } from 'knex';
import type { PurchaseOrderStatus, ReturnStatus, SalesOrderStatus } from '../domain/statuses';

/**
 * Statuses a document can still leave on its own or by an operator's hand. FAILED counts: it waits for
 * a human (send back, re-push). The ends (SHIPPED, RECEIVED, REJECTED, CANCELLED) and NOT_PUSHED (never
 * JD's business) do not.
 */
export const OPEN_STATUSES = {
  sales_order: ['REVIEW', 'PUSHING', 'WMS_PICKING', 'HELD', 'FAILED'] as const satisfies readonly SalesOrderStatus[],
  purchase_order: ['PUSHING', 'PUSH_UNCONFIRMED', 'WAITING_INBOUND', 'PARTIALLY_RECEIVED', 'FAILED'] as const satisfies readonly PurchaseOrderStatus[],
  return: ['DRAFT', 'PUSHING', 'WAITING_INBOUND', 'FAILED'] as const satisfies readonly ReturnStatus[],
};

export type OpenDocType = keyof typeof OPEN_STATUSES;

export interface OpenDocumentGroup {
  docType: OpenDocType;
  status: string;
  warehouseCode: string;
  count: number;
  /** How long the group's oldest document has been in this status, by the database's clock. */
  oldestAgeSeconds: number;
}

const TABLES: Record<OpenDocType, string> = { sales_order: 'sales_orders', purchase_order: 'purchase_orders', return: 'returns' };

export async function openDocumentGroups(db: Knex): Promise<OpenDocumentGroup[]> {
  const parts = (Object.keys(TABLES) as OpenDocType[]).map((docType) =>
    db(TABLES[docType])
      .select(db.raw('?::text as doc_type', [docType]), 'status', 'warehouse_code')
      .count({ count: '*' })
      .select(db.raw('extract(epoch from now() - min(status_since))::float8 as oldest_age_seconds'))
      .whereIn('status', [...OPEN_STATUSES[docType]])
      .groupBy('status', 'warehouse_code'),
  );
  // Each part keeps its own GROUP BY inside its parentheses.
  const rows = (await db.queryBuilder().unionAll(parts, true)) as unknown as Array<{ doc_type: OpenDocType; status: string; warehouse_code: string; count: string | number; oldest_age_seconds: number }>;
  return rows.map((row) => ({
    docType: row.doc_type,
    status: row.status,
    warehouseCode: row.warehouse_code,
    count: Number(row.count),
    oldestAgeSeconds: Math.max(0, Number(row.oldest_age_seconds)),
  }));
}
