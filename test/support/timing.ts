// Waiting: a plain pause, and polling until something is true (which fails loudly when it never is).
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

/** Resolves after `ms` (at once when `ms` ≤ 0); rejects with an AbortError when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(Math.max(0, ms), undefined, signal && { signal });
}

export interface EventuallyOptions {
  /** What is awaited, for the error on timeout. */
  what?: string;
  /** Default 5 s. */
  timeoutMs?: number;
  /** Pause between reads; default 20 ms. */
  pollMs?: number;
  /** Stops the wait (with the signal's AbortError) when aborted. */
  signal?: AbortSignal;
}

/**
 * Reads until `done(value)` holds and returns that value. Throws when it does not hold within the
 * timeout, naming what was awaited and the last value read: a wait that ends quietly would let the
 * assertion after it pass or fail for the wrong reason, or let no assertion run at all.
 * Errors `read` throws end the wait at once.
 */
export async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, options?: EventuallyOptions): Promise<T>;
/** Polls `check` until it answers true. */
export async function eventually(check: () => boolean | Promise<boolean>, options?: EventuallyOptions): Promise<true>;
export async function eventually<T>(
  read: () => T | Promise<T>,
  doneOrOptions?: ((value: T) => boolean) | EventuallyOptions,
  maybeOptions: EventuallyOptions = {},
): Promise<T> {
  const done = typeof doneOrOptions === 'function' ? doneOrOptions : (value: T) => value === true;
  const { what = 'condition', timeoutMs = 5_000, pollMs = 20, signal } = typeof doneOrOptions === 'function' ? maybeOptions : (doneOrOptions ?? {});
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    signal?.throwIfAborted();
    if (Date.now() > deadline) {
      const last = inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: 300 });
      throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${last}`);
    }
    await sleep(pollMs, signal);
    value = await read();
  }
  return value;
}

/** Retries an assertion until it holds; the last failure is the test's failure (for end-to-end waits). */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(150);
    }
  }
}
