// Ties a resource's teardown to a knex instance's destroy(), so callers keep the one handle they know.
import type { Knex } from 'knex';

/**
 * Makes `knex.destroy()` run `after` once the pool is closed (also when closing it fails). Repeated
 * destroy() calls run `after` only once. Knex defines destroy() as a read-only, configurable property,
 * hence defineProperty rather than assignment.
 */
export function onDestroy(knex: Knex, after: () => Promise<void>): Knex {
  const destroyPool = knex.destroy.bind(knex) as () => Promise<void>;
  let destroying: Promise<void> | undefined;
  const destroy = (callback?: (error?: unknown) => void): Promise<void> | void => {
    destroying ??= destroyPool().finally(after);
    if (!callback) return destroying;
    destroying.then(() => callback(), callback);
  };
  Object.defineProperty(knex, 'destroy', { value: destroy, configurable: true });
  return knex;
}
