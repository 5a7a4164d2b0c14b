// Confirming a return draft (草稿, issue 12 §5): a return the system drafted when an order shipped although
// JD had refused its refund. Checked like a created return, then started like one (the return client,
// `RTN:{returnNo}:1`); a confirm whose run could not start (Temporal down) is completed by the same call again.
import { confirmReturnDraft, getReturn, setReturnWorkflowId } from '../../db/returns';
import type { ActorRole } from '../../db/operation-log';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { returnUrl } from './answers';
import { startPush, type ReturnApiDeps } from './create';

export async function confirmReturn(deps: ReturnApiDeps, returnNo: string, actor: Actor): Promise<RouteResult> {
  const { ret } = await confirmReturnDraft(deps.db, returnNo, { actorRole: actor.role as ActorRole });
  const workflowId = await startPush(deps, ret);
  if (workflowId !== undefined) await setReturnWorkflowId(deps.db, returnNo, workflowId);
  return { status: 202, body: await getReturn(deps.db, returnNo), headers: { Location: returnUrl(returnNo) } };
}
