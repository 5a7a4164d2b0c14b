// The numbers a return goes by at JD, in the ledger and for its replacement order. Plain functions (no
// zod): the saga uses them.

/** JD's merchant return number for a push revision (`isvRtwNum`, ≤ 50 characters). */
export function isvRtwNumOf(returnNo: string, revision: number): string {
  return `${returnNo}-${revision}`;
}

/** The sales-return receipt's number (销售退货单号): one per return. */
export function returnReceiptNoOf(returnNo: string): string {
  return `${returnNo}-R`;
}

/** The replacement sales order of an exchange. */
export function replacementOrderNoOf(returnNo: string): string {
  return `${returnNo}-EX`;
}
