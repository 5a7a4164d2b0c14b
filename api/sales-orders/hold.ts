// 挂起 (hold, emulated: ECLP has none). The hold itself is a third kind of cancel request (cancel.ts): an
// order in review is held at once in the ERP; an order with a run is held by its run (cancelled at JD
// when JD still allows it, answered like a refused cancel when JD refuses). The release is here: HELD →
// REVIEW, and an order that was held at JD is pushed again at once under the next revision, through the
// same approval that bumps the push revision and starts `SO:{orderNo}:{rev+1}`.
import { releaseHeldSalesOrder, getSalesOrder } from '../../db/sales-orders';
import { DomainError } from '../../domain/errors';
import { releaseRepushes, type ReleaseOutcome, type ReleaseRequestBody } from '../../domain/sales-order';
import { SALES_ORDER_STATUS } from '../../domain/statuses';
import type { Actor } from '../auth';
import type { ActorRole } from '../../db/operation-log';
import type { RouteResult } from '../route';
import { HttpProblem } from '../problem';
import { orderUrl } from './answers';
import { approveSalesOrder, type SalesOrderApiDeps } from './approve';

export async function releaseSalesOrder(deps: SalesOrderApiDeps, orderNo: string, body: ReleaseRequestBody, actor: Actor): Promise<RouteResult> {
  const { heldFrom, pushRevision } = await releaseHeldSalesOrder(deps.db, { orderNo, actorRole: actor.role as ActorRole, ...(body.reason !== undefined && { reason: body.reason }) });
  const released = (outcome: ReleaseOutcome, message: string, extra: Record<string, unknown> = {}): RouteResult => ({
    status: 200,
    body: { orderNo, outcome, heldFrom, status: 'REVIEW', statusLabel: SALES_ORDER_STATUS.REVIEW, pushRevision, message, ...extra, orderUrl: orderUrl(orderNo) },
  });
  if (!releaseRepushes(heldFrom)) {
    return released('RELEASED_TO_REVIEW', `Sales order ${orderNo} is back in review; the ERP approves it again as usual (POST /v1/sales-orders/${orderNo}/approve)`);
  }
  try {
    const pushed = await approveSalesOrder(deps, orderNo, actor);
    const started = pushed.body as { pushRevision: number; workflowId: string };
    return {
      status: 202,
      body: {
        orderNo,
        outcome: 'REPUSHED' satisfies ReleaseOutcome,
        heldFrom,
        status: 'PUSHING',
        statusLabel: SALES_ORDER_STATUS.PUSHING,
        pushRevision: started.pushRevision,
        workflowId: started.workflowId,
        message: `JD had cancelled the order when it was held; it is pushed again at once under revision ${started.pushRevision} (JD order ${orderNo}-${started.pushRevision})`,
        orderUrl: orderUrl(orderNo),
      },
      headers: { Location: orderUrl(orderNo) },
    };
  } catch (err) {
    // Released, but the push could not start (Temporal unreachable, warehouse no longer at JD, …): the
    // order is in review, and approving it again pushes it.
    if (!(err instanceof DomainError) && !(err instanceof HttpProblem && err.status === 503)) throw err;
    const current = await getSalesOrder(deps.db, orderNo);
    return released('RELEASED_TO_REVIEW', `Sales order ${orderNo} is back in review but could not be pushed again now (${(err as Error).message}); approve it with POST /v1/sales-orders/${orderNo}/approve`, {
      status: current.status,
      statusLabel: current.statusLabel,
      pushRevision: current.pushRevision,
      repushProblem: (err as Error).message,
    });
  }
}
