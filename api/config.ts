// The API process's settings, read from the environment once (routes get the parsed values).
import { SALES_ORDER_TRACKING_MODES, type SalesOrderTrackingMode } from '../client';
import { oneOf, positiveInteger, positiveMs, positiveNumber, type Env } from '../config/env';

export interface SalesOrderApiConfig {
  /** SO_POLL_INTERVAL_MS: how often the saga asks JD about an order in WMS配货. */
  pollIntervalMs: number;
  /** SO_POLL_MAX_WAIT_MS: after this long without an outcome the order is logged as overdue (polling goes on). */
  pollMaxWaitMs: number;
  /** CANCEL_WAIT_MS: how long send-back/refund wait for the verdict before answering 202. */
  cancelWaitMs: number;
  /** SO_TRACKING: `poll` (each order asks JD itself) or `sweep` (one sweeper per JD warehouse asks for 100 at a time). */
  tracking: SalesOrderTrackingMode;
  /** SO_SWEEP_INTERVAL_MS: time between two sweeps of a warehouse; default the poll interval (same detection latency). */
  sweepIntervalMs: number;
  /** SO_SAFETY_POLL_MS: in sweep mode each order still asks JD itself this often; default 30 × the sweep interval. */
  safetyPollIntervalMs: number;
  /** SO_SWEEPS_PER_RUN: sweeps before the sweeper continues as new (bounds its history). */
  sweepsPerRun: number;
  /**
   * ECLP_TIMEOUT_MS as the workers' JD client applies it: the sagas size their JD activities' timeouts
   * from it (workflow code cannot read the environment). Unset: the client's default, 10 s.
   */
  jdCallTimeoutMs?: number;
}

/**
 * Production values (DESIGN.md §2: JD is polled in minutes). `npm start`, the tests, the bench and the
 * chaos run set their demo speeds explicitly (SO_POLL_INTERVAL_MS=2000 and faster).
 */
export const SALES_ORDER_API_DEFAULTS: SalesOrderApiConfig = {
  pollIntervalMs: 5 * 60_000,
  pollMaxWaitMs: 3 * 24 * 3600_000,
  cancelWaitMs: 10_000,
  tracking: 'poll',
  sweepIntervalMs: 5 * 60_000,
  safetyPollIntervalMs: 30 * 5 * 60_000,
  sweepsPerRun: 100,
};

/**
 * Safety polls are 30 sweeps apart unless configured. Per order and interval they cost 1/30 of a JD call,
 * against 1/100 for the sweep itself and 1 for polling, so sweep mode asks JD ~23× less; a sweeper that
 * is gone costs a shipment at most 30 intervals of delay (one interval when an approval restarts it).
 */
const SAFETY_POLL_SWEEPS = 30;

export function salesOrderApiConfigFromEnv(env: Env = process.env): SalesOrderApiConfig {
  const pollIntervalMs = positiveMs(env, 'SO_POLL_INTERVAL_MS', SALES_ORDER_API_DEFAULTS.pollIntervalMs);
  const sweepIntervalMs = positiveMs(env, 'SO_SWEEP_INTERVAL_MS', pollIntervalMs);
  return {
    pollIntervalMs,
    pollMaxWaitMs: positiveMs(env, 'SO_POLL_MAX_WAIT_MS', SALES_ORDER_API_DEFAULTS.pollMaxWaitMs),
    cancelWaitMs: positiveMs(env, 'CANCEL_WAIT_MS', SALES_ORDER_API_DEFAULTS.cancelWaitMs),
    tracking: oneOf(env, 'SO_TRACKING', SALES_ORDER_TRACKING_MODES, SALES_ORDER_API_DEFAULTS.tracking),
    sweepIntervalMs,
    safetyPollIntervalMs: positiveMs(env, 'SO_SAFETY_POLL_MS', SAFETY_POLL_SWEEPS * sweepIntervalMs),
    sweepsPerRun: positiveInteger(env, 'SO_SWEEPS_PER_RUN', SALES_ORDER_API_DEFAULTS.sweepsPerRun),
    ...jdCallTimeout(env),
  };
}

function jdCallTimeout(env: Env): { jdCallTimeoutMs?: number } {
  const ms = positiveNumber(env, 'ECLP_TIMEOUT_MS');
  return ms === undefined ? {} : { jdCallTimeoutMs: ms };
}

/** What a saga's input carries of these settings: how often it asks JD, when it is overdue, how long a JD call may take. */
export function pollingOf(config: Pick<SalesOrderApiConfig, 'pollIntervalMs' | 'pollMaxWaitMs' | 'jdCallTimeoutMs'>): { intervalMs: number; maxWaitMs: number; jdCallTimeoutMs?: number } {
  return {
    intervalMs: config.pollIntervalMs,
    maxWaitMs: config.pollMaxWaitMs,
    ...(config.jdCallTimeoutMs !== undefined && { jdCallTimeoutMs: config.jdCallTimeoutMs }),
  };
}

/**
 * The sales-order settings, the PO's own polling on top: PO_POLL_INTERVAL_MS (default SO_POLL_INTERVAL_MS,
 * so one demo knob speeds both up) and PO_POLL_MAX_WAIT_MS (suppliers take days to weeks, so a PO is logged
 * as overdue much later than an order). Tracking (SO_TRACKING), the sweepers and CANCEL_WAIT_MS are shared.
 */
export type PurchaseOrderApiConfig = SalesOrderApiConfig;

export const PURCHASE_ORDER_API_DEFAULTS = {
  pollMaxWaitMs: 14 * 24 * 3600_000,
} as const;

export function purchaseOrderApiConfigFromEnv(env: Env = process.env): PurchaseOrderApiConfig {
  const salesOrders = salesOrderApiConfigFromEnv(env);
  return {
    ...salesOrders,
    pollIntervalMs: positiveMs(env, 'PO_POLL_INTERVAL_MS', salesOrders.pollIntervalMs),
    pollMaxWaitMs: positiveMs(env, 'PO_POLL_MAX_WAIT_MS', PURCHASE_ORDER_API_DEFAULTS.pollMaxWaitMs),
  };
}

/**
 * Returns are polled only (queryRtw answers one return per call, so a sweep saves nothing): at the
 * sales-order poll interval (SO_POLL_INTERVAL_MS, one demo knob for every document), logged as overdue
 * after RTN_POLL_MAX_WAIT_MS (default 30 days: a parcel on its way back from the customer takes long).
 */
export type ReturnApiConfig = Pick<SalesOrderApiConfig, 'pollIntervalMs' | 'pollMaxWaitMs' | 'cancelWaitMs' | 'jdCallTimeoutMs'>;

export const RETURN_API_DEFAULTS = {
  pollMaxWaitMs: 30 * 24 * 3600_000,
} as const;

export function returnApiConfigFromEnv(env: Env = process.env): ReturnApiConfig {
  const { pollIntervalMs, cancelWaitMs } = salesOrderApiConfigFromEnv(env);
  return { pollIntervalMs, cancelWaitMs, pollMaxWaitMs: positiveMs(env, 'RTN_POLL_MAX_WAIT_MS', RETURN_API_DEFAULTS.pollMaxWaitMs), ...jdCallTimeout(env) };
}

export interface ReadinessConfig {
  /** READY_POLLER_MAX_AGE_MS: idle pollers re-poll once per long-poll expiry (60 s on a default server). */
  pollerMaxAgeMs: number;
}

export function readinessConfigFromEnv(env: Env = process.env): ReadinessConfig {
  return { pollerMaxAgeMs: positiveMs(env, 'READY_POLLER_MAX_AGE_MS', 90_000) };
}
