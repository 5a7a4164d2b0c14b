// Master data through HTTP: CRUD, every validation error, roles, barcode ownership, operation log.
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { masterDataRoutes } from '../../api/master-data';
import { createTestDatabase } from '../harness';
import { auth, TOKEN_SPEC } from '../support';

let db: Knex;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = createApp({
    tokens: parseApiTokens(TOKEN_SPEC),
    logger: pino({ level: 'silent' }),
    routes: masterDataRoutes(db),
  });
});
afterAll(async () => {
  await db.destroy();
});

async function tableCounts(): Promise<Record<string, number>> {
  const tables = ['warehouses', 'carriers', 'suppliers', 'categories', 'goods', 'goods_barcodes', 'operation_log'];
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = Number((await db(t).count({ n: '*' }))[0]!.n);
  return counts;
}

describe('warehouses, carriers, suppliers, categories', () => {
  it('creates (201), reads, replaces (200) and lists a warehouse, logging each change', async () => {
    const created = await request(app).put('/v1/warehouses/BJ01').set(auth('erp')).send({ name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'BJ01', name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });

    const replaced = await request(app).put('/v1/warehouses/BJ01').set(auth('erp')).send({ name: '北京一号仓', jdWarehouseNo: '110000001', eclpConnected: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('北京一号仓');

    const read = await request(app).get('/v1/warehouses/BJ01').set(auth('operator'));
    expect(read.status).toBe(200);
    expect(read.body.log.map((e: { action: string }) => e.action)).toEqual(['created', 'updated']);
    expect(read.body.log[1]).toMatchObject({ actorRole: 'erp', detail: { changed: ['name'] } });

    const list = await request(app).get('/v1/warehouses?limit=10').set(auth('erp'));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(list.body.items[0].code).toBe('BJ01');
  });

  it('does not log a PUT that changes nothing', async () => {
    const body = { name: '京东快递', jdShipperNo: 'CYS0000010' };
    await request(app).put('/v1/carriers/JD').set(auth('erp')).send(body).expect(201);
    await request(app).put('/v1/carriers/JD').set(auth('erp')).send(body).expect(200);
    const read = await request(app).get('/v1/carriers/JD').set(auth('erp')).expect(200);
    expect(read.body.log).toHaveLength(1);
  });

  it('stores suppliers and category mappings', async () => {
    await request(app).put('/v1/suppliers/S1').set(auth('erp')).send({ name: '供应商一', jdSupplierNo: 'EMS0000000000001' }).expect(201);
    const cat = await request(app)
      .put('/v1/categories/OTHER')
      .set(auth('erp'))
      .send({ name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' })
      .expect(201);
    expect(cat.body).toMatchObject({ jdThirdCategoryNo: '4159' });
    expect((await request(app).get('/v1/suppliers/S1').set(auth('erp'))).body.jdSupplierNo).toBe('EMS0000000000001');
  });

  it('answers 404 problem+json for an unknown code', async () => {
    const res = await request(app).get('/v1/suppliers/NOPE').set(auth('erp'));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toContain('NOPE');
  });
});

describe('validation: 4xx problem+json naming the field, nothing changed', () => {
  const cases: Array<[string, string, unknown, string[]]> = [
    ['warehouse without name', '/v1/warehouses/W1', { jdWarehouseNo: '110000001', eclpConnected: true }, ['name']],
    ['connected warehouse without JD number', '/v1/warehouses/W1', { name: 'x', eclpConnected: true }, ['jdWarehouseNo']],
    ['eclpConnected as a string', '/v1/warehouses/W1', { name: 'x', jdWarehouseNo: '1', eclpConnected: 'yes' }, ['eclpConnected']],
    ['unknown field', '/v1/carriers/C1', { name: 'x', jdShipperNo: 'CYS1', shipperNo: 'typo' }, ['shipperNo']],
    ['JD number with a comma', '/v1/carriers/C1', { name: 'x', jdShipperNo: 'CYS1,CYS2' }, ['jdShipperNo']],
    ['non-numeric JD category', '/v1/categories/K1', { name: 'x', jdFirstCategoryNo: 'a', jdSecondCategoryNo: '1', jdThirdCategoryNo: '2' }, ['jdFirstCategoryNo']],
    ['goods without barcodes', '/v1/goods/SKU1', { name: 'x', barcodes: [], categoryCode: 'OTHER' }, ['barcodes']],
    ['goods with a repeated barcode', '/v1/goods/SKU1', { name: 'x', barcodes: ['690', '690'], categoryCode: 'OTHER' }, ['barcodes']],
    ['goods with negative shelf life', '/v1/goods/SKU1', { name: 'x', barcodes: ['690'], categoryCode: 'OTHER', safeDays: -1 }, ['safeDays']],
    ['goods with fractional shelf life', '/v1/goods/SKU1', { name: 'x', barcodes: ['690'], categoryCode: 'OTHER', safeDays: 1.5 }, ['safeDays']],
    ['bad code in the path', '/v1/goods/bad%20sku', { name: 'x', barcodes: ['690'], categoryCode: 'OTHER' }, ['path.sku']],
  ];
  it.each(cases)('%s', async (_label, path, body, fields) => {
    const before = await tableCounts();
    const res = await request(app).put(path).set(auth('erp')).send(body as object);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toMatch(/validation$/);
    const named = res.body.errors.map((e: { field: string }) => e.field);
    for (const field of fields) expect(named).toContain(field);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body', async () => {
    const before = await tableCounts();
    const malformed = await request(app).put('/v1/carriers/C1').set(auth('erp')).set('Content-Type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toMatch(/malformed-json$/);
    const wrongType = await request(app).put('/v1/carriers/C1').set(auth('erp')).set('Content-Type', 'text/plain').send('name=x');
    expect(wrongType.status).toBe(415);
    const huge = await request(app).put('/v1/carriers/C1').set(auth('erp')).send({ name: 'x'.repeat(2_000_000), jdShipperNo: 'CYS1' });
    expect(huge.status).toBe(413);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses a bad list query', async () => {
    const res = await request(app).get('/v1/goods?limit=0&syncStatus=WHATEVER').set(auth('erp'));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.limit', 'query.syncStatus']);
  });
});

describe('roles', () => {
  it('answers 401 without a token or with an unknown one, 403 for an operator writing master data', async () => {
    const body = { name: 'x', jdSupplierNo: 'EMS1' };
    const none = await request(app).put('/v1/suppliers/R1').send(body);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    expect((await request(app).put('/v1/suppliers/R1').set({ Authorization: 'Bearer not-a-token-at-all' }).send(body)).status).toBe(401);
    const operator = await request(app).put('/v1/suppliers/R1').set(auth('operator')).send(body);
    expect(operator.status).toBe(403);
    expect(operator.body.detail).toContain('operator');
    expect((await request(app).get('/v1/suppliers/R1').set(auth('erp'))).status).toBe(404);
    expect((await request(app).put('/v1/suppliers/R1').set(auth('admin')).send(body)).status).toBe(201);
  });
});

describe('goods', () => {
  beforeAll(async () => {
    await request(app)
      .put('/v1/categories/TEA')
      .set(auth('erp'))
      .send({ name: '茶', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4160' })
      .expect(201);
  });

  it('creates goods with barcodes and replaces them', async () => {
    const created = await request(app).put('/v1/goods/TEA-001').set(auth('erp')).send({ name: '龙井', barcodes: ['6901', '6902'], categoryCode: 'TEA', safeDays: 365 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sku: 'TEA-001', barcodes: ['6901', '6902'], safeDays: 365, serialManaged: false, jdGoodsNo: null, syncStatus: 'NOT_SYNCED', syncStatusLabel: '未同步' });
    const replaced = await request(app).put('/v1/goods/TEA-001').set(auth('erp')).send({ name: '龙井', barcodes: ['6903'], categoryCode: 'TEA' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.barcodes).toEqual(['6903']);
    // The released barcodes are free for other goods again.
    await request(app).put('/v1/goods/TEA-002').set(auth('erp')).send({ name: '碧螺春', barcodes: ['6901'], categoryCode: 'TEA' }).expect(201);
    const read = await request(app).get('/v1/goods/TEA-001').set(auth('erp'));
    expect(read.body.log.map((e: { action: string }) => e.action)).toEqual(['created', 'updated']);
    expect(read.body.log[1].detail.changed).toEqual(['barcodes', 'safeDays']);
  });

  it('says which SKU already owns a barcode, and changes nothing', async () => {
    await request(app).put('/v1/goods/OWNER').set(auth('erp')).send({ name: 'a', barcodes: ['7001'], categoryCode: 'TEA' }).expect(201);
    const before = await tableCounts();
    const res = await request(app).put('/v1/goods/THIEF').set(auth('erp')).send({ name: 'b', barcodes: ['7002', '7001'], categoryCode: 'TEA' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ reason: 'barcode-taken', barcode: '7001', ownerSku: 'OWNER' });
    expect(res.body.detail).toContain('OWNER');
    expect(res.body.errors[0].field).toBe('barcodes');
    expect(await tableCounts()).toEqual(before);
  });

  it('lets two concurrent claims of one barcode end with exactly one owner', async () => {
    const claims = await Promise.all(
      ['RACE-A', 'RACE-B', 'RACE-C'].map((sku) => request(app).put(`/v1/goods/${sku}`).set(auth('erp')).send({ name: sku, barcodes: ['8888'], categoryCode: 'TEA' })),
    );
    expect(claims.map((c) => c.status).sort()).toEqual([201, 409, 409]);
    expect(await db('goods_barcodes').where({ barcode: '8888' })).toHaveLength(1);
  });

  it('answers two simultaneous first PUTs of one SKU (an ERP repeating a slow call) as create and update, never a database error', async () => {
    for (let i = 0; i < 5; i++) {
      const sku = `TWIN-${i}`;
      const body = { name: sku, barcodes: [`7700${i}`], categoryCode: 'TEA' };
      const both = await Promise.all([0, 1].map(() => request(app).put(`/v1/goods/${sku}`).set(auth('erp')).send(body)));
      expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(await db('goods_barcodes').where({ sku })).toHaveLength(1);
    }
  });

  it('lists goods by sync status', async () => {
    const res = await request(app).get('/v1/goods?syncStatus=NOT_SYNCED&limit=500').set(auth('operator'));
    expect(res.status).toBe(200);
    expect(res.body.items.every((g: { syncStatus: string }) => g.syncStatus === 'NOT_SYNCED')).toBe(true);
    expect(res.body.total).toBeGreaterThanOrEqual(3);
  });

  it('refuses to change the barcodes of goods that are already at JD', async () => {
    await request(app).put('/v1/goods/AT-JD').set(auth('erp')).send({ name: 'x', barcodes: ['9001'], categoryCode: 'TEA' }).expect(201);
    await db('goods').where({ sku: 'AT-JD' }).update({ jd_goods_no: 'EMG0000000000001', sync_status: 'SYNCED' });
    const res = await request(app).put('/v1/goods/AT-JD').set(auth('erp')).send({ name: 'x', barcodes: ['9002'], categoryCode: 'TEA' });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('goods-synced');
    // The name may still change: it is ERP-side information.
    await request(app).put('/v1/goods/AT-JD').set(auth('erp')).send({ name: 'y', barcodes: ['9001'], categoryCode: 'TEA' }).expect(200);
  });
});

describe('/docs', () => {
  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const goodsPut = res.body.paths['/v1/goods/{sku}'].put;
    expect(goodsPut.security).toEqual([{ bearer: [] }]);
    const bodySchema = JSON.stringify(res.body.components?.schemas?.GoodsBody ?? goodsPut.requestBody);
    expect(bodySchema).toContain('barcodes');
    expect(bodySchema).toContain('categoryCode');
  });
});
