// Stock reconciliation settings (库存对账): when the daily round runs (a Temporal Schedule), JD's page size
// for queryStock, and how long GET /v1/stock/reconciliation waits for its report before answering 202.
import { positiveInteger, positiveMs, type Env } from './env';
import { ConfigurationError } from './errors';

export interface StockReconciliationConfig {
  /** STOCK_RECONCILE_CRON: five fields (minute hour day-of-month month day-of-week) or @daily/@hourly/…. */
  cron: string;
  /** STOCK_RECONCILE_TIMEZONE: the IANA zone the cron is read in. */
  timezone: string;
  /** JD_STOCK_PAGE_SIZE: rows per queryStock page. */
  jdPageSize: number;
  /** STOCK_RECONCILE_WAIT_MS: how long the API waits for a reconciliation it started before answering 202. */
  waitMs: number;
}

export const STOCK_RECONCILIATION_DEFAULTS: StockReconciliationConfig = {
  cron: '0 3 * * *',
  timezone: 'Asia/Shanghai',
  jdPageSize: 100,
  waitMs: 60_000,
};

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/** Why `cron` is not a five-field cron expression Temporal reads, or undefined when it is. */
export function cronProblem(cron: string): string | undefined {
  const text = cron.trim();
  if (MACROS.has(text)) return undefined;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    for (const item of part.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${field.name} "${part}" is not a number, range, list, step or *`;
      const [, , from, to, step] = m;
      for (const n of [from, to]) {
        if (n !== undefined && (Number(n) < field.min || Number(n) > field.max)) return `${field.name} ${n} is outside ${field.min}–${field.max}`;
      }
      if (from !== undefined && to !== undefined && Number(from) > Number(to)) return `${field.name} range ${from}-${to} runs backwards`;
      if (step !== undefined && Number(step) < 1) return `${field.name} step must be at least 1`;
    }
  }
  return undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function stockReconciliationConfigFromEnv(env: Env = process.env): StockReconciliationConfig {
  const problems: string[] = [];
  const cron = env.STOCK_RECONCILE_CRON?.trim() || STOCK_RECONCILIATION_DEFAULTS.cron;
  const cronIssue = cronProblem(cron);
  if (cronIssue) problems.push(`STOCK_RECONCILE_CRON ${JSON.stringify(cron)} is not a cron expression: ${cronIssue} (e.g. "0 3 * * *" for 03:00 daily)`);
  const timezone = env.STOCK_RECONCILE_TIMEZONE?.trim() || STOCK_RECONCILIATION_DEFAULTS.timezone;
  if (!isTimeZone(timezone)) problems.push(`STOCK_RECONCILE_TIMEZONE ${JSON.stringify(timezone)} is not an IANA time zone (e.g. Asia/Shanghai)`);
  if (problems.length > 0) throw new ConfigurationError(problems);
  const jdPageSize = positiveInteger(env, 'JD_STOCK_PAGE_SIZE', STOCK_RECONCILIATION_DEFAULTS.jdPageSize);
  if (jdPageSize > 1_000) throw new ConfigurationError([`JD_STOCK_PAGE_SIZE must be at most 1000, got ${jdPageSize}`]);
  return { cron, timezone, jdPageSize, waitMs: positiveMs(env, 'STOCK_RECONCILE_WAIT_MS', STOCK_RECONCILIATION_DEFAULTS.waitMs) };
}
