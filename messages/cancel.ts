// Cancel messages, the same for every document: what a sender signals, what the workflow keeps of it,
// and how the workflow decided. Imported by the API (via client/), the workflows and the activities.
import type { CancelSource, CancelVerdict } from '../domain/cancel';
import { textProblem } from '../domain/text';

/**
 * A cancel message as sent by the API or typed into the Temporal UI/CLI. `requestId` is how the sender
 * finds the verdict in Postgres; a UI sender may leave it out and the workflow derives one.
 */
export interface CancelRequestPayload {
  reason: string;
  actor: { role: string };
  requestId?: string;
  /** Set by the HTTP API; absent when an operator types the signal into the Temporal UI/CLI. */
  via?: 'api';
}

/** A validated request inside the workflow. `K` is the document's kinds of cancel, `S` its statuses. */
export interface CancelRequest<K extends string = string, S extends string = string> {
  requestId: string;
  kind: K;
  reason: string;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: S;
}

/** How a cancel request ended, and the document's status after the decision. */
export interface CancelOutcome<S extends string = string> {
  verdict: CancelVerdict;
  status: S;
  /** JD's own words when JD was asked. */
  jdMessage?: string;
  /** The status the run saw when it decided: the write refuses to move an order that has moved on since. */
  from?: S;
}

const MAX_REASON = 200;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/;

export type PayloadCheck<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface CancelPayloadCheckOptions {
  /**
   * Refuse a reason the database cannot store (NUL, unpaired surrogates, control characters, bidi
   * overrides), as the API does. On by default; off only to replay runs that took one in before.
   */
  storableReason?: boolean;
}

/**
 * Hand-written check of a signal payload (the workflow sandbox has no zod). Anyone with access to the
 * Temporal UI can send anything, so every field is checked and the answer names what was wrong.
 */
export function checkCancelPayload(raw: unknown, { storableReason = true }: CancelPayloadCheckOptions = {}): PayloadCheck<CancelRequestPayload> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"reason":"…","actor":{"role":"operator"}}' };
  }
  const { reason, actor, requestId, via } = raw as Record<string, unknown>;
  if (typeof reason !== 'string' || reason.trim() === '') return { ok: false, problem: 'reason must be a non-empty string' };
  if (reason.length > MAX_REASON) return { ok: false, problem: `reason must be at most ${MAX_REASON} characters` };
  const unstorable = storableReason ? textProblem(reason.trim()) : undefined;
  if (unstorable !== undefined) return { ok: false, problem: `reason ${unstorable}` };
  if (typeof actor !== 'object' || actor === null) return { ok: false, problem: 'actor must be an object like {"role":"operator"}' };
  const role = (actor as Record<string, unknown>).role;
  if (typeof role !== 'string' || !/^[a-z][a-z-]{0,29}$/.test(role)) return { ok: false, problem: 'actor.role must be a lower-case role name such as "operator"' };
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
    return { ok: false, problem: 'requestId, when given, must be 1–100 letters, digits or ":#._-"' };
  }
  if (via !== undefined && via !== 'api') return { ok: false, problem: 'via, when given, must be "api"' };
  const value: CancelRequestPayload = { reason: reason.trim(), actor: { role } };
  if (typeof requestId === 'string') value.requestId = requestId;
  if (via === 'api') value.via = via;
  return { ok: true, value };
}
