// The simulator's serial rules for shipments and returns (simulator/model/serials.ts): a shipment scans out
// the oldest serials in stock at its warehouse onto bill 24 and they leave stock; a received return scans
// back what its order shipped onto bill 12, into stock only at a good level; the state file keeps it all.
import { SerialRegistry, type SerialRecord } from '../../simulator/model/serials';

const AT = '2026-12-01 10:00:00';
const BJ = '110000001';
const SH = '110000002';

function registryWith(serials: Array<[serial: string, warehouseNo: string]>, goodsNo = 'EMG1'): SerialRegistry {
  const registry = new SerialRegistry();
  registry.seed(
    serials.map(([serialNumber, warehouseNo]): SerialRecord => ({ serialNumber, goodsNo, isvGoodsNo: 'SKU-1', warehouseNo, billNo: 'EPL1', billType: '11', createTime: AT })),
    true,
  );
  return registry;
}

describe('shipments', () => {
  it('take the oldest serials of the shipping warehouse onto bill 24; they leave stock; the rest ship without one', () => {
    const registry = registryWith([['S1', BJ], ['S2', SH], ['S3', BJ], ['S4', BJ]]);
    expect(registry.shipOnSalesOrder('ESL1', 'EMG1', 'SKU-1', 2, BJ, AT)).toEqual(['S1', 'S3']);
    expect(registry.inStockFor('EMG1')).toEqual(['S2', 'S4']);
    expect(registry.onBill('ESL1', '24').map((r) => [r.serialNumber, r.warehouseNo, r.billType])).toEqual([['S1', BJ, '24'], ['S3', BJ, '24']]);
    // Three ordered, one serial left at BJ: one serial recorded, nothing invented.
    expect(registry.shipOnSalesOrder('ESL2', 'EMG1', 'SKU-1', 3, BJ, AT)).toEqual(['S4']);
    expect(registry.inStockFor('EMG1')).toEqual(['S2']);
  });

  it('of goods without serials in stock record nothing', () => {
    const registry = registryWith([['S1', BJ]]);
    expect(registry.shipOnSalesOrder('ESL1', 'EMG-OTHER', 'SKU-2', 5, BJ, AT)).toEqual([]);
    expect(registry.onBill('ESL1')).toEqual([]);
  });
});

describe('returns', () => {
  it('bring back what the order shipped, in shipping order, up to the units returned; a second return takes the next ones', () => {
    const registry = registryWith([['S1', BJ], ['S2', BJ], ['S3', BJ]]);
    registry.shipOnSalesOrder('ESL1', 'EMG1', 'SKU-1', 3, BJ, AT);
    expect(registry.returnOnReturn('ESR1', 'ESL1', 'EMG1', 'SKU-1', 1, BJ, AT, true)).toEqual(['S1']);
    expect(registry.inStockFor('EMG1')).toEqual(['S1']);
    expect(registry.onBill('ESR1', '12').map((r) => r.serialNumber)).toEqual(['S1']);
    expect(registry.returnOnReturn('ESR2', 'ESL1', 'EMG1', 'SKU-1', 5, BJ, AT, true)).toEqual(['S2', 'S3']);
    expect(registry.returnOnReturn('ESR3', 'ESL1', 'EMG1', 'SKU-1', 1, BJ, AT, true)).toEqual([]);
    // The shipment's bill still lists what left.
    expect(registry.onBill('ESL1', '24').map((r) => r.serialNumber)).toEqual(['S1', 'S2', 'S3']);
  });

  it('a defective return is scanned in on bill 12 but not put back in stock; a serial shipped again after a return is out again', () => {
    const registry = registryWith([['S1', BJ], ['S2', BJ]]);
    registry.shipOnSalesOrder('ESL1', 'EMG1', 'SKU-1', 2, BJ, AT);
    expect(registry.returnOnReturn('ESR1', 'ESL1', 'EMG1', 'SKU-1', 1, BJ, AT, false)).toEqual(['S1']);
    expect(registry.inStockFor('EMG1')).toEqual([]);
    expect(registry.returnOnReturn('ESR2', 'ESL1', 'EMG1', 'SKU-1', 1, BJ, AT, true)).toEqual(['S2']);
    expect(registry.shipOnSalesOrder('ESL2', 'EMG1', 'SKU-1', 1, BJ, AT)).toEqual(['S2']);
    expect(registry.returnOnReturn('ESR3', 'ESL1', 'EMG1', 'SKU-1', 1, BJ, AT, true)).toEqual([]);
  });
});

it('a restored snapshot keeps where each serial is (a shipment after a restart takes the right warehouse)', () => {
  const registry = registryWith([['S1', SH], ['S2', BJ]]);
  const restored = new SerialRegistry();
  restored.restore(JSON.parse(JSON.stringify(registry.snapshot())));
  expect(restored.shipOnSalesOrder('ESL1', 'EMG1', 'SKU-1', 1, BJ, AT)).toEqual(['S2']);
  expect(restored.inStockFor('EMG1')).toEqual(['S1']);
});
