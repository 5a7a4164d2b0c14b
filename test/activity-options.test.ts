// The saga kit's timeouts (workflows/saga/activity-options.ts): a dead worker is noticed by the heartbeat
// timeout within seconds; a JD attempt's start-to-close follows the JD client's own timeout.
import { msToNumber } from '@temporalio/common/lib/time';
import { pollingOf, purchaseOrderApiConfigFromEnv, returnApiConfigFromEnv, SALES_ORDER_API_DEFAULTS, salesOrderApiConfigFromEnv } from '../api/config';
import { DEFAULT_TIMEOUT_MS } from '../eclp/config';
import {
  ACTIVITY_HEARTBEAT_TIMEOUT,
  DEFAULT_JD_CALL_TIMEOUT_MS,
  ERP_ACTIVITY_OPTIONS,
  WEBHOOK_ACTIVITY_OPTIONS,
  jdCallOptions,
  jdCheckOptions,
  jdPollOptions,
} from '../workflows/saga/activity-options';

const polling = { intervalMs: 1_000, maxWaitMs: 3_600_000 };

describe('activity options', () => {
  test('every saga activity has a heartbeat timeout short enough to recover from a crash within 15 s', () => {
    const all = [ERP_ACTIVITY_OPTIONS, WEBHOOK_ACTIVITY_OPTIONS, jdCallOptions('erp'), jdPollOptions('erp', polling), jdCheckOptions('erp', 'X')];
    for (const options of all) expect(options.heartbeatTimeout).toBe(ACTIVITY_HEARTBEAT_TIMEOUT);
    // Heartbeat timeout + the longest first retry interval (JD: 2 s) leaves time for a replacement worker.
    expect(msToNumber(ACTIVITY_HEARTBEAT_TIMEOUT) + 2_000).toBeLessThanOrEqual(10_000);
  });

  test('a JD attempt may take as long as its calls under the client timeout, plus a margin, and no longer', () => {
    expect(DEFAULT_JD_CALL_TIMEOUT_MS).toBe(DEFAULT_TIMEOUT_MS);
    expect(jdCallOptions('erp').startToCloseTimeout).toBe(3 * DEFAULT_TIMEOUT_MS + 5_000);
    expect(jdPollOptions('erp', polling).startToCloseTimeout).toBe(DEFAULT_TIMEOUT_MS + 5_000);
    expect(jdCheckOptions('erp', 'X', 4_000).startToCloseTimeout).toBe(9_000);
    expect(jdCallOptions('erp', [], 2_000).startToCloseTimeout).toBe(11_000);
  });
});

describe('ECLP_TIMEOUT_MS reaches the sagas', () => {
  test("the API puts the JD client's timeout into every saga's polling settings, and leaves it out when unset", () => {
    const env = { ECLP_TIMEOUT_MS: '4000', SO_POLL_INTERVAL_MS: '1500' };
    expect(pollingOf(salesOrderApiConfigFromEnv(env))).toEqual({ intervalMs: 1500, maxWaitMs: SALES_ORDER_API_DEFAULTS.pollMaxWaitMs, jdCallTimeoutMs: 4000 });
    expect(pollingOf(purchaseOrderApiConfigFromEnv(env)).jdCallTimeoutMs).toBe(4000);
    expect(pollingOf(returnApiConfigFromEnv(env)).jdCallTimeoutMs).toBe(4000);
    expect(pollingOf(salesOrderApiConfigFromEnv({}))).not.toHaveProperty('jdCallTimeoutMs');
    expect(() => salesOrderApiConfigFromEnv({ ECLP_TIMEOUT_MS: 'soon' })).toThrow(/ECLP_TIMEOUT_MS/);
  });
});
