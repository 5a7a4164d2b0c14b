// Workflow ID = business key (DESIGN.md §4): a repeated request finds the same run instead of starting
// a second one. Keys are ERP document codes, never personal data.
export const workflowIds = {
  goodsSync: (sku: string) => `GOODS:${sku}`,
  salesOrder: (orderNo: string, revision: number) => `SO:${orderNo}:${revision}`,
  purchaseOrder: (poNo: string, revision: number) => `PO:${poNo}:${revision}`,
  returnOrder: (returnNo: string, revision: number) => `RTN:${returnNo}:${revision}`,
};
