// How the simulated JD answers where eclp-api.md cannot say what the real one does (the /_sim/behaviour
// control). The defaults are the forgiving reading; the alternatives are what the integration must also
// survive. Like faults, these are settings of one run: reset restores the defaults, the state file
// does not keep them.

export const DUPLICATE_ISV_UUID_ANSWERS = ['return-existing', 'reject'] as const;
export type DuplicateIsvUuidAnswer = (typeof DUPLICATE_ISV_UUID_ANSWERS)[number];
export const DUPLICATE_SP_PO_ORDER_NO_ANSWERS = ['return-existing', 'reject'] as const;
export type DuplicateSpPoOrderNoAnswer = (typeof DUPLICATE_SP_PO_ORDER_NO_ANSWERS)[number];

export interface SimBehaviour {
  /**
   * addOrder with an isvUUID JD already holds: answer its eclpSoNo (our assumption [G]) or refuse it as a
   * duplicate, which eclp-api.md §3.7 leans towards [I].
   */
  duplicateIsvUuid: DuplicateIsvUuidAnswer;
  /** How long a new sales order stays invisible to `order.ext.queryOrder` (JD's lookup may lag a create). */
  lookupLagMs: number;
  /**
   * addPoOrder with a spPoOrderNo JD already holds: answer its poOrderNo (our assumption [G]) or refuse it
   * as a duplicate, the other reading of eclp-api.md §3.2 [G].
   */
  duplicateSpPoOrderNo: DuplicateSpPoOrderNoAnswer;
}

export const DEFAULT_BEHAVIOUR: Readonly<SimBehaviour> = { duplicateIsvUuid: 'return-existing', lookupLagMs: 0, duplicateSpPoOrderNo: 'return-existing' };

/** JD's text for a repeated isvUUID under `reject` [G]: the client recognises the refusal by "已存在". */
export function duplicateIsvUuidText(isvUUID: string): string {
  return `isvUUID已存在，请勿重复下发（${isvUUID}）`;
}

/** JD's text for a repeated spPoOrderNo under `reject` [G]: the client recognises the refusal by "已存在". */
export function duplicateSpPoOrderNoText(spPoOrderNo: string): string {
  return `采购单号已存在，请勿重复下发（${spPoOrderNo}）`;
}
