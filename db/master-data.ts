// Master data persistence. Warehouses, carriers, suppliers and category mappings share one shape
// (code → a few JD numbers), so one descriptor-driven repository serves all four; goods are special.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { CarrierBody, CategoryBody, GoodsBody, SupplierBody, WarehouseBody } from '../domain/master-data';
import { GOODS_SYNC_STATUS, type GoodsSyncStatus } from '../domain/statuses';
import { writeOperationLog, type ActorRole } from './operation-log';
import type { GoodsRow } from './tables';

export interface Page {
  limit: number;
  offset: number;
}

/** One simple master-data kind: its table and how its body fields map to columns. */
export interface SimpleKind<B extends object> {
  docType: string;
  table: string;
  /** What an operator calls it, for messages. */
  noun: string;
  columns: { [K in keyof Required<B>]: string };
}

export const WAREHOUSE: SimpleKind<WarehouseBody> = {
  docType: 'warehouse',
  table: 'warehouses',
  noun: 'warehouse',
  columns: { name: 'name', jdWarehouseNo: 'jd_warehouse_no', eclpConnected: 'eclp_connected' },
};
export const CARRIER: SimpleKind<CarrierBody> = {
  docType: 'carrier',
  table: 'carriers',
  noun: 'carrier',
  columns: { name: 'name', jdShipperNo: 'jd_shipper_no' },
};
export const SUPPLIER: SimpleKind<SupplierBody> = {
  docType: 'supplier',
  table: 'suppliers',
  noun: 'supplier',
  columns: { name: 'name', jdSupplierNo: 'jd_supplier_no' },
};
export const CATEGORY: SimpleKind<CategoryBody> = {
  docType: 'category',
  table: 'categories',
  noun: 'category mapping',
  columns: {
    name: 'name',
    jdFirstCategoryNo: 'jd_first_category_no',
    jdSecondCategoryNo: 'jd_second_category_no',
    jdThirdCategoryNo: 'jd_third_category_no',
  },
};

/** Optional body fields read back as null when unset; required ones are NOT NULL columns. */
export type SimpleRecord<B> = { code: string } & { [K in keyof B]-?: undefined extends B[K] ? Exclude<B[K], undefined> | null : B[K] } & { createdAt: string; updatedAt: string };

/** What the four tables share (tables.ts has each one's row); the other columns are read through the kind's column map. */
interface SimpleRow {
  code: string;
  created_at: Date;
  updated_at: Date;
  [column: string]: unknown;
}

/** The kind's body fields and their columns, in declaration order. */
function fieldColumns<B extends object>(kind: SimpleKind<B>): Array<[field: string, column: string]> {
  return Object.entries<string>(kind.columns);
}

function toRecord<B extends object>(kind: SimpleKind<B>, row: SimpleRow): SimpleRecord<B> {
  const record: Record<string, unknown> = { code: row.code };
  for (const [field, column] of fieldColumns(kind)) record[field] = row[column] ?? null;
  record.createdAt = row.created_at.toISOString();
  record.updatedAt = row.updated_at.toISOString();
  return record as SimpleRecord<B>;
}

/** Field names whose values differ, for the operation log: what changed, not the whole record again. */
function changedFields(before: object | undefined, after: object): string[] {
  const old = new Map(Object.entries(before ?? {}));
  return Object.entries(after)
    .filter(([k, v]) => JSON.stringify(old.get(k) ?? null) !== JSON.stringify(v ?? null))
    .map(([k]) => k);
}

export async function upsertSimple<B extends object>(
  db: Knex,
  kind: SimpleKind<B>,
  code: string,
  body: B,
  actor: ActorRole,
): Promise<{ record: SimpleRecord<B>; created: boolean }> {
  return db.transaction(async (trx) => {
    const given = new Map(Object.entries(body));
    const values: Record<string, unknown> = {};
    for (const [field, column] of fieldColumns(kind)) {
      values[column] = given.get(field) ?? null;
    }
    const existing = await trx<SimpleRow>(kind.table).where({ code }).forUpdate().first();
    let row: SimpleRow | undefined;
    if (existing) {
      [row] = await trx<SimpleRow>(kind.table).where({ code }).update({ ...values, updated_at: trx.fn.now() }).returning('*');
    } else {
      // ON CONFLICT covers a concurrent first PUT of the same code: both succeed, the later one wins.
      [row] = await trx<SimpleRow>(kind.table).insert({ code, ...values }).onConflict('code').merge({ ...values, updated_at: trx.fn.now() }).returning('*');
    }
    const record = toRecord(kind, row!);
    const before = existing ? toRecord(kind, existing) : undefined;
    const changed = changedFields(before, body);
    if (!existing || changed.length > 0) {
      await writeOperationLog(trx, {
        docType: kind.docType,
        docKey: code,
        action: existing ? 'updated' : 'created',
        actorRole: actor,
        detail: { changed: existing ? changed : Object.keys(body) },
      });
    }
    return { record, created: !existing };
  });
}

export async function findSimple<B extends object>(db: Knex, kind: SimpleKind<B>, code: string): Promise<SimpleRecord<B> | undefined> {
  const row = await db<SimpleRow>(kind.table).where({ code }).first();
  return row && toRecord(kind, row);
}

export async function getSimple<B extends object>(db: Knex, kind: SimpleKind<B>, code: string): Promise<SimpleRecord<B>> {
  const record = await findSimple(db, kind, code);
  if (!record) throw new NotFoundError(`No ${kind.noun} with code "${code}"`, 'not-found');
  return record;
}

export const findWarehouse = (db: Knex, code: string) => findSimple(db, WAREHOUSE, code);
export const findCarrier = (db: Knex, code: string) => findSimple(db, CARRIER, code);
export const findCategory = (db: Knex, code: string) => findSimple(db, CATEGORY, code);

export async function listSimple<B extends object>(db: Knex, kind: SimpleKind<B>, page: Page): Promise<{ items: SimpleRecord<B>[]; total: number }> {
  const [rows, counted] = await Promise.all([
    db<SimpleRow>(kind.table).orderBy('code').limit(page.limit).offset(page.offset),
    db<SimpleRow>(kind.table).count<{ count: string }[]>({ count: '*' }),
  ]);
  return { items: rows.map((r) => toRecord(kind, r)), total: Number(counted[0]?.count ?? 0) };
}

// ---------------------------------------------------------------- goods

/** The operation log's doc_type of goods. */
export const GOODS_DOC_TYPE = 'goods';

export interface GoodsRecord {
  sku: string;
  name: string;
  barcodes: string[];
  categoryCode: string;
  safeDays: number;
  serialManaged: boolean;
  jdGoodsNo: string | null;
  syncStatus: GoodsSyncStatus;
  syncStatusLabel: string;
  syncError: string | null;
  syncWorkflowId: string | null;
  syncedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

function toGoods(row: GoodsRow, barcodes: string[]): GoodsRecord {
  return {
    sku: row.sku,
    name: row.name,
    barcodes,
    categoryCode: row.category_code,
    safeDays: row.safe_days,
    serialManaged: row.serial_managed,
    jdGoodsNo: row.jd_goods_no,
    syncStatus: row.sync_status,
    syncStatusLabel: GOODS_SYNC_STATUS[row.sync_status],
    syncError: row.sync_error,
    syncWorkflowId: row.sync_workflow_id,
    syncedAt: row.synced_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function barcodesOf(db: Knex | Knex.Transaction, skus: string[]): Promise<Map<string, string[]>> {
  const rows = await db('goods_barcodes').whereIn('sku', skus).orderBy(['sku', 'position']);
  const bySku = new Map<string, string[]>(skus.map((s) => [s, []]));
  for (const r of rows) bySku.get(r.sku)?.push(r.barcode);
  return bySku;
}

function barcodeTaken(barcode: string, ownerSku: string): ConflictError {
  return new ConflictError(`Barcode ${barcode} already belongs to SKU ${ownerSku}; barcodes must be unique across all goods`, 'barcode-taken', {
    errors: [{ field: 'barcodes', message: `${barcode} already belongs to SKU ${ownerSku}` }],
    barcode,
    ownerSku,
  });
}

const PG_UNIQUE_VIOLATION = '23505';

export async function upsertGoods(db: Knex, sku: string, body: GoodsBody, actor: ActorRole, retried = false): Promise<{ record: GoodsRecord; created: boolean }> {
  try {
    return await db.transaction(async (trx) => {
      const taken = await trx('goods_barcodes').whereIn('barcode', body.barcodes).whereNot({ sku }).first();
      if (taken) throw barcodeTaken(taken.barcode, taken.sku);

      const existing = await trx('goods').where({ sku }).forUpdate().first();
      const before = existing ? (await barcodesOf(trx, [sku])).get(sku)! : [];
      if (existing?.jd_goods_no && JSON.stringify(before) !== JSON.stringify(body.barcodes)) {
        // JD matches goods by barcode and this integration has no JD update call: diverging silently
        // would break receiving at the warehouse (seed tip 1: 两边系统条码唯一且一致).
        throw new ConflictError(
          `SKU ${sku} is already at JD as ${existing.jd_goods_no} with barcodes ${before.join(', ')}; its barcodes cannot change here`,
          'goods-synced',
          { errors: [{ field: 'barcodes', message: `must stay ${before.join(',')} once the goods are at JD` }] },
        );
      }
      if (existing?.sync_status === 'SYNCING' && JSON.stringify(before) !== JSON.stringify(body.barcodes)) {
        // The sync sends the barcodes it read at its start: a change now would reach JD as the old ones
        // and then be locked by the rule above.
        throw new ConflictError(
          `SKU ${sku} is being synced to JD with barcodes ${before.join(', ')}; change its barcodes once the sync has ended`,
          'goods-syncing',
          { errors: [{ field: 'barcodes', message: `cannot change while the goods are being synced to JD (${existing.sync_workflow_id ?? 'sync running'})` }] },
        );
      }
      const values = {
        name: body.name,
        category_code: body.categoryCode,
        safe_days: body.safeDays ?? 0,
        serial_managed: body.serialManaged ?? false,
      };
      const [row] = existing
        ? await trx('goods').where({ sku }).update({ ...values, updated_at: trx.fn.now() }).returning('*')
        : await trx('goods').insert({ sku, ...values }).returning('*');
      await trx('goods_barcodes').where({ sku }).delete();
      await trx('goods_barcodes').insert(body.barcodes.map((barcode, position) => ({ barcode, sku, position })));

      const previous = existing
        ? { name: existing.name, barcodes: before, categoryCode: existing.category_code, safeDays: existing.safe_days, serialManaged: existing.serial_managed }
        : undefined;
      const after = { name: values.name, barcodes: body.barcodes, categoryCode: values.category_code, safeDays: values.safe_days, serialManaged: values.serial_managed };
      const changed = changedFields(previous, after);
      if (!existing || changed.length > 0) {
        await writeOperationLog(trx, { docType: GOODS_DOC_TYPE, docKey: sku, action: existing ? 'updated' : 'created', actorRole: actor, detail: { changed } });
      }
      return { record: toGoods(row!, body.barcodes), created: !existing };
    });
  } catch (err) {
    // Two first PUTs of one SKU at the same moment (an ERP repeating a slow call): the later insert loses
    // to the primary key; asked again, it finds the goods and answers as an update would.
    if (!retried && (err as { code?: string }).code === PG_UNIQUE_VIOLATION && /goods_pkey/.test(String((err as Error).message))) {
      return upsertGoods(db, sku, body, actor, true);
    }
    // Two SKUs claiming one barcode at the same moment: the primary key decides, and we say who won.
    if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION && /goods_barcodes_pkey/.test(String((err as Error).message))) {
      const owner = await db('goods_barcodes').whereIn('barcode', body.barcodes).whereNot({ sku }).first();
      if (owner) throw barcodeTaken(owner.barcode, owner.sku);
    }
    throw err;
  }
}

export async function findGoods(db: Knex | Knex.Transaction, sku: string): Promise<GoodsRecord | undefined> {
  const row = await db('goods').where({ sku }).first();
  if (!row) return undefined;
  return toGoods(row, (await barcodesOf(db, [sku])).get(sku)!);
}

/** Which of these SKUs are in master data. */
export async function existingGoodsSkus(db: Knex, skus: readonly string[]): Promise<Set<string>> {
  const rows = await db('goods').whereIn('sku', skus).select('sku');
  return new Set(rows.map((r) => r.sku));
}

/** JD's goods number of each known SKU (null until synced); unknown SKUs are absent. */
export async function jdGoodsNumbersOf(db: Knex, skus: readonly string[]): Promise<Map<string, string | null>> {
  const rows = await db('goods').whereIn('sku', skus).select('sku', 'jd_goods_no');
  return new Map(rows.map((r) => [r.sku, r.jd_goods_no]));
}

/** The SKU of each JD goods number that some goods row carries (JD reports goods by its own number). */
export async function skusOfJdGoodsNumbers(db: Knex, goodsNos: readonly string[]): Promise<Map<string, string>> {
  if (goodsNos.length === 0) return new Map();
  const rows = await db('goods').whereIn('jd_goods_no', goodsNos).select('sku', 'jd_goods_no');
  return new Map(rows.flatMap((r) => (r.jd_goods_no === null ? [] : [[r.jd_goods_no, r.sku] as const])));
}

export async function getGoods(db: Knex, sku: string): Promise<GoodsRecord> {
  const goods = await findGoods(db, sku);
  if (!goods) throw new NotFoundError(`No goods with SKU "${sku}"`, 'not-found');
  return goods;
}

export async function listGoods(db: Knex, filter: { syncStatus?: GoodsSyncStatus }, page: Page): Promise<{ items: GoodsRecord[]; total: number }> {
  const base = () => (filter.syncStatus ? db('goods').where({ sync_status: filter.syncStatus }) : db('goods'));
  const [rows, counted] = await Promise.all([
    base().orderBy('sku').limit(page.limit).offset(page.offset),
    base().count<{ count: string }[]>({ count: '*' }),
  ]);
  const barcodes = await barcodesOf(db, rows.map((r) => r.sku));
  return { items: rows.map((r) => toGoods(r, barcodes.get(r.sku)!)), total: Number(counted[0]?.count ?? 0) };
}
