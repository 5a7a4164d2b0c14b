// 基础信息 shapes and rules, shared by the API (request validation) and the sync activities (pre-flight).
import { z } from 'zod';
import { freeText } from './text-schema';

/** ERP codes end up in workflow IDs and JD fields: keep them to a safe, comma-free alphabet. */
export const codeSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be 1–50 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** JD numbers (warehouseNo, shipperNo, supplierNo, category codes) are short alphanumeric codes. */
const jdNoSchema = z.string().min(1).max(50).regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only, as JD issues them');
const jdCategoryNoSchema = z.string().min(1).max(20).regex(/^\d+$/, 'must be JD\'s numeric category code');
const nameSchema = freeText({ max: 100 });

export const warehouseBody = z
  .strictObject({
    name: nameSchema,
    jdWarehouseNo: jdNoSchema.nullable().optional(),
    eclpConnected: z.boolean(),
  })
  .refine((w) => !w.eclpConnected || !!w.jdWarehouseNo, {
    path: ['jdWarehouseNo'],
    message: 'is required when eclpConnected is true (the code JD gave for this warehouse, e.g. 110000001)',
  })
  .meta({ id: 'WarehouseBody' });

export const carrierBody = z.strictObject({ name: nameSchema, jdShipperNo: jdNoSchema }).meta({ id: 'CarrierBody' });
export const supplierBody = z.strictObject({ name: nameSchema, jdSupplierNo: jdNoSchema }).meta({ id: 'SupplierBody' });
export const categoryBody = z
  .strictObject({
    name: nameSchema,
    jdFirstCategoryNo: jdCategoryNoSchema,
    jdSecondCategoryNo: jdCategoryNoSchema,
    jdThirdCategoryNo: jdCategoryNoSchema,
  })
  .meta({ id: 'CategoryBody' });

/** JD's `barcodes` field is one comma-joined string of at most 100 characters (eclp-api.md §3.1). */
export const JD_BARCODES_MAX_LENGTH = 100;
const barcodeSchema = z.string().min(1).max(50).regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits or "-"');

export const goodsBody = z
  .strictObject({
    name: freeText({ max: 500 }),
    barcodes: z
      .array(barcodeSchema)
      .min(1, 'needs at least one barcode: JD matches goods by barcode')
      .max(20)
      .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a barcode')
      .refine((codes) => codes.join(',').length <= JD_BARCODES_MAX_LENGTH, `joined with commas must fit JD's ${JD_BARCODES_MAX_LENGTH} characters`),
    categoryCode: codeSchema,
    safeDays: z.number().int().min(0).max(36500).optional(),
    serialManaged: z.boolean().optional(),
  })
  .meta({ id: 'GoodsBody' });

export type WarehouseBody = z.infer<typeof warehouseBody>;
export type CarrierBody = z.infer<typeof carrierBody>;
export type SupplierBody = z.infer<typeof supplierBody>;
export type CategoryBody = z.infer<typeof categoryBody>;
export type GoodsBody = z.infer<typeof goodsBody>;
