// One activity namespace per task queue. Temporal registers activities by name, and an object spread
// would let a later group silently replace an earlier one's activity of the same name (a purchase-order
// `recordCancelDecision` over the sales-order one): merging here refuses that at worker start instead.

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** `groups` by a name for the error message, e.g. `{ goods: createGoodsActivities(deps), … }`. */
export function activityNamespace<G extends Record<string, object>>(queue: string, groups: G): UnionToIntersection<G[keyof G]> {
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  for (const [group, activities] of Object.entries(groups)) {
    for (const [name, fn] of Object.entries(activities)) {
      const first = owner.get(name);
      if (first !== undefined) throw new Error(`Activity "${name}" on task queue "${queue}" is defined by both ${first} and ${group}; give each its document's name`);
      owner.set(name, group);
      merged[name] = fn;
    }
  }
  return merged as UnionToIntersection<G[keyof G]>;
}
