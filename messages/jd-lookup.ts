// The contract of the read-only JD lookup workflow (`jdLookup`): the API may not call JD, so a lookup is a
// short run on the erp queue whose one activity asks JD on the eclp queue, reads every page and answers.
// Serial numbers first (issue 12 §2): by bill, in stock for a SKU, of one of our documents.

/** queryPageSerialByBillNo's bill types (eclp-api.md §3.13): 11 purchase inbound, 12 customer-return inbound, 24 sales outbound, 32 return-to-supplier. */
export const SERIAL_BILL_TYPES = { '11': 'PURCHASE_INBOUND', '12': 'RETURN_INBOUND', '24': 'SALES_OUTBOUND', '32': 'SUPPLIER_RETURN_OUTBOUND' } as const;
export type SerialBillTypeCode = keyof typeof SERIAL_BILL_TYPES;

/** Our document types whose JD number queryGoodsSerial takes (eclpSoNo, poOrderNo, eclpRtwNo). */
export const SERIAL_DOCUMENT_TYPES = ['sales-order', 'purchase-order', 'return'] as const;
export type SerialDocumentType = (typeof SERIAL_DOCUMENT_TYPES)[number];

export type JdLookupQuery =
  | { kind: 'serialsByBill'; billNo: string; billType: SerialBillTypeCode }
  | { kind: 'serialsInStock'; sku: string }
  | { kind: 'serialsOfDocument'; type: SerialDocumentType; docNo: string };

export interface JdLookupLimits {
  /** JD page size for the paged queries. */
  pageSize: number;
  /** At most this many items are answered (the rest: `truncated`). */
  maxItems: number;
  /** At most about this many bytes of items (Temporal's payload limit is 2 MB; the rest: `truncated`). */
  maxBytes: number;
}

export interface JdLookupInput {
  query: JdLookupQuery;
  limits: JdLookupLimits;
  /** How long JD may take, retries included, before the run answers `unavailable`. */
  timeoutMs: number;
}

/** A serial on a JD bill (queryPageSerialByBillNo). `sku` is ours when a goods row carries JD's goods number. */
export interface BillSerialItem {
  serialNo: string;
  goodsNo: string;
  sku: string | null;
  billNo: string | null;
  billType: string | null;
  billTypeName: string | null;
  scannedAt: string | null;
  warehouseNo: string | null;
}

/** A serial on one of our documents at JD (queryGoodsSerial). */
export interface DocumentSerialItem {
  serialNo: string;
  goodsNo: string;
  sku: string | null;
  businessNo: string;
  businessType: string | null;
}

interface Listing<T> {
  items: T[];
  /** JD's total when it reports one, else the number of items read. */
  total: number;
  truncated: boolean;
}

export type JdLookupAnswer =
  | ({ kind: 'serialsByBill'; billNo: string; billType: SerialBillTypeCode } & Listing<BillSerialItem>)
  | ({ kind: 'serialsInStock'; sku: string; jdGoodsNo: string } & Listing<string>)
  | ({ kind: 'serialsOfDocument'; type: SerialDocumentType; docNo: string; jdDocNo: string } & Listing<DocumentSerialItem>);

export type JdLookupResult =
  | { outcome: 'ok'; answer: JdLookupAnswer }
  /** JD refused the query (a business or validation error), with its words. */
  | { outcome: 'refused'; jdCode: string | null; jdMessage: string }
  /** Our side has nothing to ask JD with (the SKU is not synced, the document has no JD number). */
  | { outcome: 'not-at-jd'; message: string }
  /** JD did not answer within the deadline (transport, gateway, quota, credentials): the last failure. */
  | { outcome: 'unavailable'; message: string };

/** The activity's failure when our side has no JD number for the SKU or document (non-retryable). */
export const JD_LOOKUP_NOT_AT_JD = 'JdLookupNotAtJd';
