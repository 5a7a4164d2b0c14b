// On-hand stock as the ERP's ledger has it (库存): the sum of every booked movement per warehouse and SKU.
// Comparing it with JD's own count (queryStock) is a later step; this answers from Postgres alone.
import type { Knex } from 'knex';
import { z } from 'zod';
import { stockBalances } from '../db/stock-ledger';
import { codeSchema } from '../domain/master-data';
import { route, type RouteSpec } from './route';

const stockBalance = z
  .object({ warehouseCode: z.string(), sku: z.string(), quantity: z.number().int() })
  .meta({ id: 'StockBalance' });

export function stockRoutes(db: Knex): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/stock',
      summary: 'On-hand quantity per warehouse and SKU from the stock ledger (purchase receipts in, shipments out)',
      tag: 'stock',
      roles: ['erp', 'operator'],
      query: z.strictObject({ warehouse: codeSchema.optional(), sku: codeSchema.optional() }),
      responses: {
        200: { description: '`items`: one balance per warehouse and SKU with movements, ordered by warehouse and SKU', schema: z.object({ items: z.array(stockBalance) }) },
        400: { description: 'Invalid input; `errors` names each field' },
        401: { description: 'No or unknown bearer token' },
        403: { description: "The token's role may not do this" },
      },
      handler: async ({ query }) => ({
        status: 200,
        body: { items: await stockBalances(db, { ...(query.warehouse && { warehouseCode: query.warehouse }), ...(query.sku && { sku: query.sku }) }) },
      }),
    }),
  ];
}
