// A worker killed in the middle of an activity is only noticed by Temporal when a timeout runs out. With
// a start-to-close timeout alone that is the whole timeout (a minute for JD calls); with a heartbeat
// timeout it is a few seconds. So every activity given a `heartbeatTimeout` (workflows/saga/
// activity-options.ts) beats while it runs, whatever it does: a JD call waiting for its answer, a
// transaction waiting for PostgreSQL.
import { Context } from '@temporalio/activity';

/**
 * Beats this many times per heartbeat timeout. The SDK sends the first beat at once and then at most one
 * per 80 % of the timeout, so a live activity is never timed out; an activity quicker than one interval
 * never beats at all (no extra round trip for the common case).
 */
const BEATS_PER_TIMEOUT = 3;

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * The same activities, each beating while it runs when its options give it a heartbeat timeout. An
 * activity that heartbeats itself (progress, a poll's error count) keeps its details: the beats repeat
 * the last details it sent, or those the previous attempt left, never an empty heartbeat over them.
 */
export function beatingWhileRunning<T extends object>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) wrapped[name] = typeof fn === 'function' ? beating(fn as AnyActivity) : fn;
  return wrapped as T;
}

function beating(fn: AnyActivity): AnyActivity {
  return async function (this: unknown, ...args: never[]) {
    const context = Context.current();
    const timeoutMs = context.info.heartbeatTimeoutMs;
    if (!timeoutMs || context.info.isLocal) return fn.apply(this, args);
    const send = context.heartbeat;
    let details: unknown = context.info.heartbeatDetails;
    // The activity's own heartbeat() goes through this context (readonly in the types, a plain field at run time).
    (context as { heartbeat: (next?: unknown) => void }).heartbeat = (next) => {
      details = next;
      send(next);
    };
    const timer = setInterval(() => send(details), Math.max(50, Math.floor(timeoutMs / BEATS_PER_TIMEOUT)));
    try {
      return await fn.apply(this, args);
    } finally {
      clearInterval(timer);
    }
  };
}
