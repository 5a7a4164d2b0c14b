// Activities that call JD. Each is one JD call; the retry policy in the workflow is the retry loop, and
// `toActivityFailure` tells Temporal which failures are worth retrying and when.
import { ApplicationFailure, log } from '@temporalio/activity';
import type { EclpClient } from '../eclp';
import { EclpConfigurationError, EclpQuotaError, isEclpError } from '../eclp/errors';
import type { GoodsForJd } from './erp-goods';

/** Failure types the workflows branch on; they match the EclpError class names. */
export const JD_REJECTION_TYPES = ['EclpBusinessError', 'EclpValidationError'] as const;

export interface EclpActivityOptions {
  /** How long to wait before retrying after JD refused our credentials or clock (an operator must act). */
  configurationRetryDelayMs?: number;
}

/**
 * EclpError → ApplicationFailure with the class name as type and JD's details attached.
 * Configuration errors (bad token, clock skew) are retried slowly instead of failing: they are global,
 * an operator fixes them once, and every waiting document should then carry on by itself.
 */
export function toActivityFailure(err: unknown, options: EclpActivityOptions = {}): unknown {
  if (!isEclpError(err)) return err;
  const details = err.toDetails();
  if (err instanceof EclpConfigurationError) {
    log.error('JD refused our configuration; fix it and waiting documents resume', { eclpMethod: err.method, code: err.code, hint: err.hint });
    return ApplicationFailure.create({
      type: err.name,
      message: `${err.message} (${err.hint})`,
      nonRetryable: false,
      nextRetryDelay: options.configurationRetryDelayMs ?? 5 * 60_000,
      details: [details],
    });
  }
  return ApplicationFailure.create({
    type: err.name,
    message: err.zhDesc ?? err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err instanceof EclpQuotaError ? err.retryAfterMs : undefined,
    details: [details],
  });
}

export function createEclpActivities(deps: { eclp: EclpClient; options?: EclpActivityOptions }) {
  const { eclp, options } = deps;
  const jd = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw toActivityFailure(err, options);
    }
  };
  return {
    /** Creates the goods at JD. JD keeps one goods number per merchant SKU, so a retry is harmless. */
    async transportGoodsInfo(goods: GoodsForJd): Promise<{ jdGoodsNo: string }> {
      const { goodsNo } = await jd(() =>
        eclp.transportGoodsInfo({
          isvGoodsNo: goods.sku,
          goodsName: goods.name,
          barcodes: goods.barcodes,
          thirdCategoryNo: goods.thirdCategoryNo,
          safeDays: goods.safeDays,
          serialManaged: goods.serialManaged,
        }),
      );
      return { jdGoodsNo: goodsNo };
    },
  };
}
