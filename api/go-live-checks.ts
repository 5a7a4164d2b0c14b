// Placeholder wired by the integrator (issue 12); its owner fills it.
import type { FeatureRouteDeps } from './feature-deps';
import type { RouteSpec } from './route';

export function goLiveCheckRoutes(_deps: FeatureRouteDeps): RouteSpec[] {
  return [];
}
