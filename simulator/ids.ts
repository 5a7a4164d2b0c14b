// JD document numbers: a prefix plus a fixed number of digits (eclp-api.md §2). Counters start at the
// current epoch milliseconds so numbers stay unique across simulator restarts and resets: a client whose
// database outlives the simulator never meets the same ESL number for two different orders.

export class NumberIssuer {
  private readonly last = new Map<string, number>();

  next(prefix: string, digits: number): string {
    const modulus = 10 ** digits;
    const previous = this.last.get(prefix) ?? -1;
    let value = Math.max(previous + 1, Date.now() % modulus);
    if (value >= modulus) value = 0;
    this.last.set(prefix, value);
    return `${prefix}${String(value).padStart(digits, '0')}`;
  }

  /** The last value issued per prefix, for the state file. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.last);
  }

  /**
   * Continues after the numbers an earlier run issued. The clock alone is not enough: a burst of calls
   * runs the counter ahead of it, and a quick restart would hand out those numbers a second time.
   */
  restore(last: Readonly<Record<string, number>>): void {
    for (const [prefix, value] of Object.entries(last)) this.last.set(prefix, Math.max(value, this.last.get(prefix) ?? -1));
  }
}

export const NumberFormat = {
  goods: ['EMG', 13],
  purchaseOrder: ['EPL', 13],
  salesOrder: ['ESL', 13],
  returnOrder: ['ESR', 13],
  wayBill: ['JDV', 12],
} as const satisfies Record<string, readonly [string, number]>;
