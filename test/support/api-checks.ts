// What the API tests check of an answer and of the run it reached: a problem+json answer (and the 503 of
// Temporal being down), and the signals a document's run took, as its history keeps them.
import { defaultPayloadConverter } from '@temporalio/common';
import { PROBLEM_CONTENT_TYPE } from '../../api/problem';
import { TEMPORAL_RETRY_AFTER_SECONDS } from '../../api/temporal-errors';
import type { History } from './replay';

/** What the checks read of a supertest response. */
interface Answer {
  status: number;
  body: { reason?: unknown } | undefined;
  text: string;
  headers: Record<string, string>;
}

/** A problem+json answer of `status` (and of `reason`, when given). */
export function expectProblem(res: Answer, status: number, reason?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (reason) expect(res.body?.reason).toBe(reason);
}

/** Temporal was unreachable: 503 problem+json with Retry-After. */
export function expectUnavailable(res: Answer): void {
  expect({ status: res.status, text: res.text.slice(0, 300) }).toMatchObject({ status: 503 });
  expect(res.headers['content-type']).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
  expect(res.headers['retry-after']).toBe(String(TEMPORAL_RETRY_AFTER_SECONDS));
}

/** Every signal in a run's history, in order, with its (first) argument. */
export function signalsIn(history: History): Array<{ name: string; payload: unknown }> {
  return (history.events ?? []).flatMap((event) => {
    const signalled = event.workflowExecutionSignaledEventAttributes;
    if (!signalled) return [];
    const payload = signalled.input?.payloads?.[0];
    return [{ name: signalled.signalName ?? '', payload: payload ? defaultPayloadConverter.fromPayload(payload) : undefined }];
  });
}
