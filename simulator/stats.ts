// Calls that reached /routerjson, refused ones included, per JD method name as sent.

export const NO_METHOD = '(none)';

export interface CallCounts {
  total: number;
  byMethod: Record<string, number>;
}

export class CallStats {
  private total = 0;
  private readonly byMethod = new Map<string, number>();

  count(method: string | undefined): void {
    this.total += 1;
    const name = method || NO_METHOD;
    this.byMethod.set(name, (this.byMethod.get(name) ?? 0) + 1);
  }

  snapshot(): CallCounts {
    return { total: this.total, byMethod: Object.fromEntries(this.byMethod) };
  }

  reset(): void {
    this.total = 0;
    this.byMethod.clear();
  }
}
