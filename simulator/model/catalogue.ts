// The JD-side master data a merchant cannot create through the API (JD sets it up offline): the merchant's
// department, shop and ISV source, warehouses, carriers, suppliers and the three-level category tree.
// Defaults are the documented catalogue of DESIGN.md §6; /_sim/catalogue adds entries.
import { DEV_MERCHANT, type EclpMerchant } from '../../eclp/config';
import { BusinessError } from '../errors';

export interface Warehouse { warehouseNo: string; name: string }
export interface Shipper { shipperNo: string; name: string }
export interface Supplier { supplierNo: string; name: string }
export interface Category { firstNo: string; secondNo: string; thirdNo: string; name: string }

export interface CatalogueSnapshot {
  deptNo: string;
  deptName: string;
  shopNo: string;
  isvSource: string;
  warehouses: Warehouse[];
  shippers: Shipper[];
  suppliers: Supplier[];
  categories: Category[];
}

export interface CatalogueAdditions {
  warehouses?: Warehouse[];
  shippers?: Shipper[];
  suppliers?: Supplier[];
  categories?: Category[];
}

export const DEFAULT_DEPT_NAME = '模拟事业部';

export const DEFAULT_CATALOGUE: Omit<CatalogueSnapshot, keyof EclpMerchant> = {
  deptName: DEFAULT_DEPT_NAME,
  warehouses: [
    { warehouseNo: '110000001', name: '北京仓' },
    { warehouseNo: '110000002', name: '上海仓' },
  ],
  shippers: [
    { shipperNo: 'CYS0000010', name: '京东快递' },
    { shipperNo: 'CYS0000020', name: '模拟快递' },
  ],
  suppliers: [{ supplierNo: 'EMS0000000000001', name: '模拟供应商' }],
  categories: [
    { firstNo: '9000', secondNo: '9001', thirdNo: '4159', name: '其他' },
    { firstNo: '9000', secondNo: '9001', thirdNo: '4160', name: '其他二' },
  ],
};

export class Catalogue {
  private readonly warehouses = new Map<string, Warehouse>();
  private readonly shippers = new Map<string, Shipper>();
  private readonly suppliers = new Map<string, Supplier>();
  private readonly categories = new Map<string, Category>();

  readonly deptName = DEFAULT_DEPT_NAME;

  constructor(readonly merchant: EclpMerchant = DEV_MERCHANT) {
    this.reset();
  }

  reset(): void {
    this.warehouses.clear();
    this.shippers.clear();
    this.suppliers.clear();
    this.categories.clear();
    this.add(DEFAULT_CATALOGUE);
  }

  add(additions: CatalogueAdditions): void {
    for (const w of additions.warehouses ?? []) this.warehouses.set(w.warehouseNo, { ...w });
    for (const s of additions.shippers ?? []) this.shippers.set(s.shipperNo, { ...s });
    for (const s of additions.suppliers ?? []) this.suppliers.set(s.supplierNo, { ...s });
    for (const c of additions.categories ?? []) this.categories.set(c.thirdNo, { ...c });
  }

  snapshot(): CatalogueSnapshot {
    return {
      ...this.merchant,
      deptName: this.deptName,
      warehouses: [...this.warehouses.values()],
      shippers: [...this.shippers.values()],
      suppliers: [...this.suppliers.values()],
      categories: [...this.categories.values()],
    };
  }

  // The checks below are what ECLP answers when a merchant sends a number JD never issued to it.

  requireDepartment(field: string, deptNo: string): void {
    if (deptNo !== this.merchant.deptNo) {
      throw BusinessError.rejected(`事业部编号${deptNo}不存在或不属于当前商家（${field}）`, `Unknown department ${deptNo} (${field})`);
    }
  }

  requireShop(shopNo: string): void {
    if (shopNo !== this.merchant.shopNo) {
      throw BusinessError.rejected(`店铺编号${shopNo}不存在或不属于该事业部`, `Unknown shop ${shopNo}`);
    }
  }

  requireIsvSource(isvSource: string): void {
    if (isvSource !== this.merchant.isvSource) {
      throw BusinessError.rejected(`ISV来源编号${isvSource}不存在`, `Unknown ISV source ${isvSource}`);
    }
  }

  requireWarehouse(warehouseNo: string): Warehouse {
    const warehouse = this.warehouses.get(warehouseNo);
    if (!warehouse) throw BusinessError.rejected(`库房编号${warehouseNo}不存在或未开通`, `Unknown warehouse ${warehouseNo}`);
    return warehouse;
  }

  requireShipper(shipperNo: string): Shipper {
    const shipper = this.shippers.get(shipperNo);
    if (!shipper) throw BusinessError.rejected(`承运商编号${shipperNo}不存在`, `Unknown shipper ${shipperNo}`);
    return shipper;
  }

  requireSupplier(supplierNo: string): Supplier {
    const supplier = this.suppliers.get(supplierNo);
    if (!supplier) throw BusinessError.rejected(`供应商编号${supplierNo}不存在`, `Unknown supplier ${supplierNo}`);
    return supplier;
  }

  requireThirdCategory(thirdNo: string): Category {
    const category = this.categories.get(thirdNo);
    if (!category) {
      throw BusinessError.rejected(`三级类目${thirdNo}不存在，请填写京东三级类目编号`, `Unknown third-level category ${thirdNo}`);
    }
    return category;
  }

  findWarehouse(warehouseNo: string): Warehouse | undefined {
    return this.warehouses.get(warehouseNo);
  }

  /** The first warehouse, where seeded serials land unless told otherwise. */
  defaultWarehouseNo(): string | undefined {
    return this.warehouses.keys().next().value;
  }

  warehouseName(warehouseNo: string): string {
    return this.warehouses.get(warehouseNo)?.name ?? '';
  }

  shipperName(shipperNo: string): string {
    return this.shippers.get(shipperNo)?.name ?? '';
  }
}
