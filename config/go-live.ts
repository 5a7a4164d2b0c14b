// 推单测试 (go-live push test) settings, read by the API when it starts a check. The test consignee is
// the address on every test order: JD has no hold, so if JD refuses a cancel the goods go there. Point
// it at the merchant's own office (GO_LIVE_CONSIGNEE_*), never at a customer.
import { positiveMs, type Env } from './env';

export interface GoLiveConsigneeSetting {
  name: string;
  mobile: string;
  province: string;
  city: string;
  county: string;
  address: string;
}

export interface GoLiveConfig {
  /** GO_LIVE_CONSIGNEE_NAME, _MOBILE, _PROVINCE, _CITY, _COUNTY, _ADDRESS (checked by the API against the order rules). */
  consignee: GoLiveConsigneeSetting;
  /** GO_LIVE_VERDICT_POLL_MS: how often the check looks for each test order's cancel verdict. */
  verdictPollIntervalMs: number;
  /**
   * GO_LIVE_VERDICT_MAX_WAIT_MS: how long the check waits for JD to accept (and the saga to cancel) its
   * orders before the step fails; the refund stays with each order's run, which cancels when JD answers.
   */
  verdictMaxWaitMs: number;
}

/** Production values; `npm start` and the tests set faster polling. */
export const GO_LIVE_DEFAULTS: GoLiveConfig = {
  consignee: { name: '推单测试', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', address: '推单测试订单 请勿发货' },
  verdictPollIntervalMs: 30_000,
  verdictMaxWaitMs: 2 * 3600_000,
};

export function goLiveConfigFromEnv(env: Env = process.env): GoLiveConfig {
  const text = (name: string, fallback: string) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  };
  const d = GO_LIVE_DEFAULTS.consignee;
  return {
    consignee: {
      name: text('GO_LIVE_CONSIGNEE_NAME', d.name),
      mobile: text('GO_LIVE_CONSIGNEE_MOBILE', d.mobile),
      province: text('GO_LIVE_CONSIGNEE_PROVINCE', d.province),
      city: text('GO_LIVE_CONSIGNEE_CITY', d.city),
      county: text('GO_LIVE_CONSIGNEE_COUNTY', d.county),
      address: text('GO_LIVE_CONSIGNEE_ADDRESS', d.address),
    },
    verdictPollIntervalMs: positiveMs(env, 'GO_LIVE_VERDICT_POLL_MS', GO_LIVE_DEFAULTS.verdictPollIntervalMs),
    verdictMaxWaitMs: positiveMs(env, 'GO_LIVE_VERDICT_MAX_WAIT_MS', GO_LIVE_DEFAULTS.verdictMaxWaitMs),
  };
}
