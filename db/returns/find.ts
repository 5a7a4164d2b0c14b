// Reading one return with its lines: shared by the repositories that answer with the return.
import type { Knex } from 'knex';
import { NotFoundError } from '../../domain/errors';
import { toReturnRecord, type ReturnRecord } from './records';

export async function findReturn(db: Knex | Knex.Transaction, returnNo: string): Promise<ReturnRecord | undefined> {
  const row = await db('returns').where({ return_no: returnNo }).first();
  if (!row) return undefined;
  const lines = await db('return_lines').where({ return_no: returnNo }).orderBy('line_no');
  return toReturnRecord(row, lines);
}

export async function getReturn(db: Knex | Knex.Transaction, returnNo: string): Promise<ReturnRecord> {
  const ret = await findReturn(db, returnNo);
  if (!ret) throw new NotFoundError(`No return "${returnNo}"`, 'not-found');
  return ret;
}
