// Search attributes operators use in the Temporal UI to find stuck documents (DESIGN.md §4).
// They carry document numbers and statuses only: never names, phones or addresses.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DocType = defineSearchAttributeKey('DocType', SearchAttributeType.KEYWORD);
export const ErpDocNo = defineSearchAttributeKey('ErpDocNo', SearchAttributeType.KEYWORD);
export const EclpDocNo = defineSearchAttributeKey('EclpDocNo', SearchAttributeType.KEYWORD);
export const DocStatus = defineSearchAttributeKey('DocStatus', SearchAttributeType.KEYWORD);
export const WarehouseNo = defineSearchAttributeKey('WarehouseNo', SearchAttributeType.KEYWORD);
export const StatusSince = defineSearchAttributeKey('StatusSince', SearchAttributeType.DATETIME);

/** Every custom key, for registration by the launcher and the test harness. */
export const ALL_SEARCH_ATTRIBUTES = [DocType, ErpDocNo, EclpDocNo, DocStatus, WarehouseNo, StatusSince] as const;

/** `Name=Type` as `temporal server start-dev --search-attribute` expects it. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}
