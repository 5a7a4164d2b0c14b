// Placeholder wired by the integrator (issue 12); its owner fills it.
import type { ErpActivityDeps } from './index';

export function createJdAuthActivities(_deps: ErpActivityDeps) {
  return {};
}
