// The cancel inbox every saga keeps: cancel signals (打回审核, buyer refunds, PO cancels) are taken in
// whenever they arrive — even mid-activity — checked, deduplicated by request id, and decided by the saga
// at the points where its story allows. What is still waiting when the saga ends is answered too.
import { condition, log, patched, setHandler, workflowInfo, type SignalDefinition } from '@temporalio/workflow';
import { checkCancelPayload, type CancelRequest, type CancelRequestPayload, type PayloadCheck } from '../../messages/cancel';

/**
 * Since this patch a reason the database cannot store (NUL, unpaired surrogate, control or bidi
 * characters) is ignored like any malformed signal. A run that took one in before keeps it on replay.
 */
export const STORABLE_CANCEL_REASON_PATCH = 'cancel-reason-storable-text';

export class CancelInbox<K extends string, S extends string> {
  private readonly waiting: Array<CancelRequest<K, S>> = [];
  private readonly requestIds = new Set<string>();
  private signalsSeen = 0;
  /** Signals dropped because their payload was malformed (each is also logged). */
  ignoredSignals = 0;

  /** `status` is read when a request arrives: the verdict records what the document was then. */
  constructor(
    private readonly logFields: Record<string, unknown>,
    private readonly status: () => S,
  ) {}

  /** Takes in requests of `kind` sent as `signal`. */
  listen(signal: SignalDefinition<[CancelRequestPayload]>, kind: K): void {
    setHandler(signal, (raw: unknown) => this.takeIn(kind, raw));
  }

  /** Counts and logs a malformed signal of any kind, so the status query shows one total. */
  ignore(signal: string, problem: string): void {
    this.ignoredSignals += 1;
    log.warn(`Ignored a malformed ${signal} signal`, { ...this.logFields, signal, problem });
  }

  get hasRequests(): boolean {
    return this.waiting.length > 0;
  }

  /** The oldest undecided request, removed from the inbox. */
  take(): CancelRequest<K, S> | undefined {
    return this.waiting.shift();
  }

  /** For the status query. */
  pending(): Array<Pick<CancelRequest<K, S>, 'requestId' | 'kind' | 'statusAtRequest'>> {
    return this.waiting.map(({ requestId, kind, statusAtRequest }) => ({ requestId, kind, statusAtRequest }));
  }

  /** Resolves when a request is waiting. */
  async nextRequest(): Promise<CancelRequest<K, S>> {
    await condition(() => this.hasRequests);
    return this.take()!;
  }

  /** Decides every waiting request, in order of arrival (the saga has ended; `decide` knows how). */
  async answerAll(decide: (request: CancelRequest<K, S>) => Promise<void>): Promise<void> {
    for (let request = this.take(); request; request = this.take()) await decide(request);
  }

  /** While `work` runs, decides each request as it arrives; then rethrows `work`'s failure, if any. */
  async answerWhile(work: Promise<void>, decide: (request: CancelRequest<K, S>) => Promise<void>): Promise<void> {
    let done = false;
    let failure: unknown;
    work.then(
      () => (done = true),
      (err: unknown) => {
        failure = err;
        done = true;
      },
    );
    for (;;) {
      await condition(() => done || this.hasRequests);
      const request = this.take();
      if (request) await decide(request);
      else break;
    }
    if (failure !== undefined) throw failure;
  }

  private check(raw: unknown): PayloadCheck<CancelRequestPayload> {
    const checked = checkCancelPayload(raw);
    if (checked.ok) return checked;
    const before = checkCancelPayload(raw, { storableReason: false });
    // Asked only when the text check alone refuses, so runs without such a signal record no marker.
    return before.ok && !patched(STORABLE_CANCEL_REASON_PATCH) ? before : checked;
  }

  private takeIn(kind: K, raw: unknown): void {
    this.signalsSeen += 1;
    const checked = this.check(raw);
    if (!checked.ok) return this.ignore(kind, checked.problem);
    const { value } = checked;
    // A UI/CLI sender gives no id: derive one from the signal's position, which replay reproduces.
    const requestId = value.requestId ?? `${workflowInfo().workflowId}#signal-${this.signalsSeen}`;
    if (this.requestIds.has(requestId)) {
      log.info('Ignored a repeated cancel signal', { ...this.logFields, requestId });
      return;
    }
    this.requestIds.add(requestId);
    this.waiting.push({ requestId, kind, reason: value.reason, actorRole: value.actor.role, source: value.via ?? 'temporal', statusAtRequest: this.status() });
  }
}
