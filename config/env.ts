// Reading settings from the environment: one parser per kind of value, each naming the variable and
// the value it refused, so a process with bad configuration stops with a message an operator can act on.
import { ConfigurationError } from './errors';

export type Env = Record<string, string | undefined>;

const unset = (raw: string | undefined): raw is undefined | '' => raw === undefined || raw === '';

/** A positive number (fractions allowed, e.g. ECLP_MAX_QPS=0.5); undefined when unset. */
export function positiveNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (unset(raw)) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError([`${name} must be a positive number, got ${JSON.stringify(raw)}`]);
  return value;
}

/** A positive whole number (milliseconds, counts); `fallback` when unset. */
export function positiveInteger(env: Env, name: string, fallback: number, unit = ''): number {
  const raw = env[name];
  if (unset(raw)) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError([`${name} must be a positive whole number${unit ? ` of ${unit}` : ''}, got ${JSON.stringify(raw)}`]);
  return value;
}

/** Milliseconds: a positive whole number. */
export function positiveMs(env: Env, name: string, fallback: number): number {
  return positiveInteger(env, name, fallback, 'milliseconds');
}

/** One of a fixed set of words; `fallback` when unset. */
export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (unset(raw)) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigurationError([`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`]);
  return raw as T;
}
