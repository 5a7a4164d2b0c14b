// The attention list: every source's items, minus those an operator acknowledged for the same situation,
// oldest first (the longest-waiting problem is the most urgent).
import type { Knex } from 'knex';
import { failedPushAttention, overdueAttention, returnAttention, unconfirmedPurchaseOrderAttention, webhookAttention } from './documents';
import { goLiveCheckAttention } from './go-live-checks';
import { holdAndFollowUpAttention } from './holds-and-follow-ups';
import { jdCredentialAttention } from './jd-credentials';
import { stockMismatchAttention } from './stock-mismatches';
import type { AttentionContext, AttentionItem, AttentionSource, AttentionSubject } from './types';

export type { AttentionContext, AttentionItem, AttentionSource, AttentionSubject } from './types';

export const ATTENTION_SOURCES: readonly AttentionSource[] = [failedPushAttention, unconfirmedPurchaseOrderAttention, returnAttention, overdueAttention, webhookAttention, stockMismatchAttention, goLiveCheckAttention, jdCredentialAttention, holdAndFollowUpAttention];

interface AcknowledgementRow {
  kind: string;
  subject: string;
  document_no: string;
  note: string;
  actor_role: string;
  acknowledged_at: Date;
}

const ackKey = (kind: string, subject: string, documentNo: string) => `${kind}\u0000${subject}\u0000${documentNo}`;

export async function attentionItems(db: Knex, context: AttentionContext, sources: readonly AttentionSource[] = ATTENTION_SOURCES): Promise<AttentionItem[]> {
  const [lists, acks] = await Promise.all([Promise.all(sources.map((source) => source(db, context))), db<AcknowledgementRow>('attention_acknowledgements').select('*')]);
  const acknowledged = new Map(acks.map((ack) => [ackKey(ack.kind, ack.subject, ack.document_no), ack.acknowledged_at.getTime()]));
  return lists
    .flat()
    .filter((item) => {
      const at = acknowledged.get(ackKey(item.kind, item.subject, item.documentNo));
      // An acknowledgement covers the situation it saw; the same document in trouble again is listed again.
      return at === undefined || Date.parse(item.since) > at;
    })
    .sort((a, b) => a.since.localeCompare(b.since) || a.kind.localeCompare(b.kind) || a.documentNo.localeCompare(b.documentNo));
}

export interface Acknowledgement {
  kind: string;
  subject: AttentionSubject;
  documentNo: string;
  note: string;
  actorRole: string;
}

/** Records (or renews) the acknowledgement; repeating it moves its time forward, which hides nothing new. */
export async function acknowledgeAttention(db: Knex, ack: Acknowledgement): Promise<{ acknowledgedAt: string }> {
  const [row] = await db<AcknowledgementRow>('attention_acknowledgements')
    .insert({ kind: ack.kind, subject: ack.subject, document_no: ack.documentNo, note: ack.note, actor_role: ack.actorRole, acknowledged_at: db.fn.now() as unknown as Date })
    .onConflict(['kind', 'subject', 'document_no'])
    .merge(['note', 'actor_role', 'acknowledged_at'])
    .returning('acknowledged_at');
  return { acknowledgedAt: new Date(row!.acknowledged_at).toISOString() };
}
