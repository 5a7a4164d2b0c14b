// Placeholder wired by the integrator (issue 12); its owner fills it.
import type { EclpActivityDeps } from './index';

export function createEclpStockActivities(_deps: EclpActivityDeps) {
  return {};
}
