// The numbers a purchase order goes by at JD and in the ledger. Plain functions (no zod): the saga uses them.

/** JD's merchant PO number for a push revision (eclp-api.md §3.2 `spPoOrderNo`, ≤ 50 characters). */
export function spPoOrderNoOf(poNo: string, revision: number): string {
  return `${poNo}-${revision}`;
}

/** A purchase receipt's number (采购入库单号): the PO and the receipt's place in it. */
export function receiptNoOf(poNo: string, seq: number): string {
  return `${poNo}-R${seq}`;
}
