// Running `eclp`-queue activities outside a workflow against a simulator: a JD client that reports every
// call it sends, goods created at JD for a test's SKUs, one attempt of an activity as Temporal would run
// it, and the failure it ends with.
// Imported directly (not through index.ts): it loads Temporal's testing and worker packages.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createEclpClient, type EclpClient, type FetchLike } from '../../eclp';
import { DEV_CREDENTIALS, DEV_MERCHANT } from '../../eclp/config';

/** One JD call as the client sent it: the method and its business parameters. */
export interface SentJdCall {
  method: string;
  params: Record<string, unknown>;
}

/** A client of the simulator at `gatewayUrl` that hands every call it sends to `onCall`. */
export function recordingEclpClient(gatewayUrl: string, onCall: (call: SentJdCall) => void): EclpClient {
  const recordingFetch: FetchLike = async (url, init) => {
    const form = new URLSearchParams(String(init?.body ?? ''));
    const method = new URL(String(url)).searchParams.get('method') ?? form.get('method') ?? '';
    onCall({ method, params: JSON.parse(form.get('360buy_param_json') ?? '{}') as Record<string, unknown> });
    return fetch(url, init);
  };
  return createEclpClient({ ...DEV_CREDENTIALS, ...DEV_MERCHANT, gatewayUrl, timeoutMs: 2_000 }, { fetch: recordingFetch });
}

let barcodes = 0;

/**
 * Creates each SKU's goods at JD through `eclp` (isvGoodsNo = the SKU, a fresh barcode) and records JD's
 * number on its goods row, as a goods sync would. Returns SKU → JD goods number.
 */
export async function goodsAtJd<S extends string>(eclp: EclpClient, db: Knex, skus: readonly S[]): Promise<Record<S, string>> {
  const numbers = {} as Record<S, string>;
  for (const sku of skus) {
    const { goodsNo } = await eclp.transportGoodsInfo({ isvGoodsNo: sku, goodsName: `商品 ${sku}`, barcodes: [`69${Date.now()}${(barcodes += 1)}`], thirdCategoryNo: '4159' });
    numbers[sku] = goodsNo;
    await db('goods').where({ sku }).update({ jd_goods_no: goodsNo, sync_status: 'SYNCED' });
  }
  return numbers;
}

/** Expected failures would each print a stack trace at WARN; real problems show as test failures. */
const quiet = new DefaultLogger('ERROR');

/** Runs an activity as attempt `attempt` of its retries. */
export function runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, args: A, attempt = 1): Promise<R> {
  return new MockActivityEnvironment({ attempt }, { logger: quiet }).run(fn, ...args);
}

/** The failure an activity run ends with. */
export async function activityFailure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('the activity succeeded');
}
