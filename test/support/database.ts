// What a database holds, compared cheaply: proof that a request changed nothing.
import type { Knex } from 'knex';

/** Table (`"schema"."table"`) → `<row count>:<md5 of all rows>`. */
export type TableFingerprint = Map<string, string>;

/**
 * A reader of the row count and an order-independent checksum of every table, one round trip per read.
 * The tables are those the database has when the reader is made.
 */
export async function tableFingerprinter(knex: Knex): Promise<() => Promise<TableFingerprint>> {
  const { rows: tables } = await knex.raw<{ rows: Array<{ s: string; t: string }> }>(
    `select table_schema as s, table_name as t from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const sql = tables
    .map(({ s, t }) => {
      const name = `"${s.replace(/"/g, '""')}"."${t.replace(/"/g, '""')}"`;
      return `select '${name.replace(/'/g, "''")}' as t, count(*)::int as n, md5(coalesce(string_agg(md5(x::text), '' order by md5(x::text)), '')) as sum from ${name} x`;
    })
    .join(' union all ');
  return async () => {
    const { rows } = await knex.raw<{ rows: Array<{ t: string; n: number; sum: string }> }>(sql);
    return new Map(rows.map((r) => [r.t, `${r.n}:${r.sum}`]));
  };
}
