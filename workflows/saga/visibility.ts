// Search attributes operators use in the Temporal UI to find stuck documents (DESIGN.md §4). Document
// numbers and statuses only: never names, phones or addresses.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { DocStatus, DocType, EclpDocNo, ErpDocNo, StatusSince, WarehouseNo } from '../../messages/search-attributes';

/** Once per run: which document this is (the client sets them at start too; a CLI start may not). */
export function identifyDocument(docType: string, erpDocNo: string): void {
  upsertSearchAttributes([
    { key: DocType, value: docType },
    { key: ErpDocNo, value: erpDocNo },
  ]);
}

export interface PublishedStatus {
  status: string;
  /** A new status restarts `StatusSince`; a refinement (a JD number learned, a refusal) does not. */
  changed: boolean;
  eclpDocNo?: string;
  jdWarehouseNo?: string;
}

export function publishStatus({ status, changed, eclpDocNo, jdWarehouseNo }: PublishedStatus): void {
  upsertSearchAttributes([
    { key: DocStatus, value: status },
    ...(changed ? [{ key: StatusSince, value: new Date() }] : []),
    ...(eclpDocNo !== undefined ? [{ key: EclpDocNo, value: eclpDocNo }] : []),
    ...(jdWarehouseNo !== undefined ? [{ key: WarehouseNo, value: jdWarehouseNo }] : []),
  ]);
}
