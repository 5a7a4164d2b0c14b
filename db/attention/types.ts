// The attention list (GET /v1/attention): every document that needs a human. Each feature contributes a
// source that reads its own tables; the API merges them. An item says why, since when and what to do.
import type { Knex } from 'knex';

/** What the item is about; `documentNo` is the ERP's number for documents, an id for the rest. */
export type AttentionSubject = 'SO' | 'PO' | 'RTN' | 'STOCK' | 'GO_LIVE' | 'WEBHOOK' | 'JD_AUTH';

export interface AttentionItem {
  /** Stable machine word, e.g. `push_failed`, `cancel_refused`, `stock_mismatch`, `jd_credentials_refused`. */
  kind: string;
  subject: AttentionSubject;
  /** The document's ERP number (SO/PO/RTN), a report or check id, a webhook event id, `jd` for JD_AUTH. */
  documentNo: string;
  /** One sentence an operator understands, with JD's own words where JD said something. */
  why: string;
  /** When the situation began (ISO 8601). */
  since: string;
  /** The next action, naming the API call when there is one (e.g. `POST /v1/purchase-orders/PO1/link`). */
  nextAction: string;
  /** API path of the document (e.g. `/v1/sales-orders/SO1`). */
  href: string;
  /** The Temporal workflow to open in the UI, when there is one. */
  workflowId?: string;
  /** The JD warehouse or ERP warehouse code when known, for filtering. */
  warehouseCode?: string;
}

export interface AttentionContext {
  now: Date;
  /** Per subject: how long a document may wait for JD before it is listed (ms). */
  waitingThresholdMs: { SO: number; PO: number; RTN: number };
  /** How long a document may sit in PUSHING before it is listed (ms). */
  pushingThresholdMs: number;
}

export type AttentionSource = (db: Knex, context: AttentionContext) => Promise<AttentionItem[]>;
