// The goods sync's contract (workflows/goods-sync.ts): input, result and the `status` query.
import { defineQuery } from '@temporalio/workflow';
import type { GoodsSyncStatus } from '../domain/statuses';

export interface GoodsSyncInput {
  sku: string;
}

export interface GoodsSyncResult {
  sku: string;
  status: 'SYNCED';
  jdGoodsNo: string;
  alreadySynced: boolean;
}

export interface GoodsSyncState {
  sku: string;
  status: GoodsSyncStatus;
  jdGoodsNo?: string;
  reason?: string;
}

export const goodsSyncStatusQuery = defineQuery<GoodsSyncState>('status');
