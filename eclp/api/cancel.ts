// The `{code, msg}` verdict shared by sales-order, PO and return cancels (eclp-api.md §3.3, §3.8, §3.15e, §4.4).
import { type JsonObject } from '../envelope';
import { requireObject, text, type ResultContext } from '../fields';
import { CancelResultCode } from '../status';

export interface JdCancelResult {
  /** `unknown` = a code JD has not documented; the order's status history then tells what happened. */
  result: 'cancelled' | 'refused' | 'unknown';
  /** JD's code verbatim. */
  code: string;
  /** JD's reason text, verbatim (Chinese). */
  message?: string;
}

export function readCancelResult(envelope: JsonObject, field: string, context: ResultContext): JdCancelResult {
  const verdict = requireObject(envelope, field, context);
  const code = text(verdict['code']) ?? '';
  const message = text(verdict['msg']);
  const result = code === CancelResultCode.CANCELLED ? 'cancelled' : code === CancelResultCode.REFUSED ? 'refused' : 'unknown';
  return message === undefined ? { result, code } : { result, code, message };
}
