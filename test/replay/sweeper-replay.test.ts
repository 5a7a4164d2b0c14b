// The warehouse sweeper against today's workflow code: a run recorded before it swept purchase orders
// (sales-order-sweeper-run.json, also replayed with the sales-order histories) and one recorded since
// (behind the sweeper-purchase-orders patch) must both replay, so sweepers running through a deploy keep
// going. Refresh the newer one with:
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/purchase-orders/sweep.test.ts -t 'tells a PO run'
import { SWEEP_PURCHASE_ORDERS_PATCH } from '../../workflows/sweeper';
import { loadReplayHistory as load, replayHistory, scheduledActivityTypes } from '../support';

const BEFORE_POS = 'sales-order-sweeper-run.json';
const WITH_POS = 'sweeper-purchase-orders-run.json';

/** The patch IDs a run recorded (Temporal's `core_patch` markers carry the ID in their details). */
const patchesOf = (file: string) =>
  (load(file).events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')).id as string] : [];
  });

it.each([BEFORE_POS, WITH_POS])('%s replays without a determinism violation', async (file) => {
  await replayHistory(load(file));
}, 60_000);

it('both sides of the purchase-order patch are committed', () => {
  expect(patchesOf(BEFORE_POS)).toEqual([]);
  expect(scheduledActivityTypes(load(BEFORE_POS))).not.toContain('listOpenPurchaseOrders');

  expect(patchesOf(WITH_POS)).toEqual([SWEEP_PURCHASE_ORDERS_PATCH]);
  const types = scheduledActivityTypes(load(WITH_POS));
  expect(types).toEqual(expect.arrayContaining(['listOpenSalesOrders', 'listOpenPurchaseOrders', 'queryJdPurchaseOrderStatuses', 'signalJdStatusChanges']));
  // The sales orders come first in every sweep, as before the patch.
  expect(types[0]).toBe('listOpenSalesOrders');
});
